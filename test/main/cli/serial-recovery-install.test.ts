import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage } from '../../../main/image/build';

const root = resolve(import.meta.dirname, '..', '..', '..');
const bin = join(root, 'main', 'cli', 'bin.js');

let dataDir = '';
let imagePath = '';
let sim: ChildProcess | undefined;
let ports: string[] = [];

/** Runs the built `siteflash` with our data folder, as a user does. */
/** Exit code (-1 when killed by a signal, named in stderr), stdout, stderr. */
function siteflash(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { timeout: 120_000, env: { ...process.env, SITEFLASH_DATA_DIR: dataDir } }, (err, stdout, stderr) => {
      const code = !err ? 0 : typeof err.code === 'number' ? err.code : -1;
      done({ code, stdout, stderr: `${stderr}${err?.signal ? ` [signal ${err.signal}]` : ''}` });
    });
  });
}

beforeAll(async () => {
  expect(existsSync(join(root, 'out', 'main', 'cli.js')), 'run `npm run build` before the tests').toBe(true);
  const dir = await mkdtemp(join(tmpdir(), 'siteflash-recovery-cli-'));
  dataDir = join(dir, 'data');
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  mkdirSync(join(dataDir, 'keys', 'image'), { recursive: true });
  writeFileSync(join(dataDir, 'keys', 'image', 'recovery-test.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
  imagePath = join(dir, 'app.bin');
  writeFileSync(imagePath, buildImage({ body: new Uint8Array(12_000).fill(5), version: '1.4.0+2', signingKey: privateKey, board: 'sf-dev-1' }));
  mkdirSync(join(dir, 'sim'));
  const child = spawn(process.execPath, [bin, 'sim', '--personality', 'mcuboot-recovery', '--count', '3', '--json', '--dir', join(dir, 'sim')], { stdio: ['ignore', 'pipe', 'pipe'] });
  sim = child;
  let text = '';
  ports = await new Promise<string[]>((ok, fail) => {
    child.stdout.on('data', (b: Buffer) => {
      text += b.toString();
      try {
        ok((JSON.parse(text) as { devices: { path: string }[] }).devices.map((d) => d.path));
      } catch {
        // not whole yet
      }
    });
    child.on('exit', (code) => fail(new Error(`siteflash sim exited ${code}`)));
  });
}, 60_000);

afterAll(() => {
  sim?.kill('SIGINT');
});

describe('installing through MCUboot serial recovery (built CLI against siteflash sim --personality mcuboot-recovery)', () => {
  it('image list shows the flags recovery does not send as unknown: null in JSON, ? in the table', async () => {
    await siteflash(['upload', imagePath, '--port', ports[1]!]);
    const json = await siteflash(['image', 'list', '--port', ports[1]!, '--json']);
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as { images: unknown[] }).images[0]).toMatchObject({ slot: 0, version: '1.4.0+2', active: null, confirmed: null, pending: null });
    const table = await siteflash(['image', 'list', '--port', ports[1]!]);
    expect(table.stdout).toMatch(/^0\s+0\s+1\.4\.0\+2\s+[0-9a-f]{16}\s+\?$/m);
  }, 180_000);

  it('upload --install ends "installed by the bootloader" with exit 0, without a test or confirm step', async () => {
    const r = await siteflash(['upload', imagePath, '--port', ports[0]!, '--install', '--json']);
    expect(r.stderr).not.toContain('rolled back');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const out = JSON.parse(r.stdout) as { outcome: string; version: string; images: { slot: number; version: string }[] };
    expect(out.outcome).toBe('installed-by-bootloader');
    expect(out.images.find((s) => s.slot === 0)).toMatchObject({ version: '1.4.0+2' });
    const text = await siteflash(['upload', imagePath, '--port', ports[0]!, '--install']);
    // Already there: the device now runs it (it booted the image from slot 0).
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('already runs 1.4.0+2');
  }, 240_000);

  it('upload sends ahead within the line buffers the probe recognised (7), or the ones --line-buffers names; a bad count exits 2', async () => {
    const plain = await siteflash(['upload', imagePath, '--port', ports[1]!, '--json']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(JSON.parse(plain.stdout)).toMatchObject({ window: 1, lineBuffers: 7, uploaded: { total: expect.any(Number) } });
    const three = await siteflash(['upload', imagePath, '--port', ports[1]!, '--line-buffers', '3', '--json']);
    expect(three.code, three.stderr).toBe(0);
    expect(JSON.parse(three.stdout)).toMatchObject({ lineBuffers: 3 });
    // No pipelining at all: nothing of the next request before the answer.
    const none = await siteflash(['upload', imagePath, '--port', ports[1]!, '--no-pipeline', '--line-buffers', '5', '--json']);
    expect(JSON.parse(none.stdout)).toMatchObject({ window: 1, lineBuffers: 0 });
    for (const bad of ['99', '1.5', 'two']) {
      const r = await siteflash(['upload', imagePath, '--port', ports[1]!, '--line-buffers', bad]);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toContain('--line-buffers takes a whole number from 0 to 64');
    }
  }, 180_000);

  it('update (the job engine) installs on a serial-recovery device and records done, not a failure or rollback', async () => {
    const r = await siteflash(['update', imagePath, '--port', ports[2]!, '--no-confirm', '--technician', 't', '--json']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).not.toMatch(/rolled-back|"failed"/);
    const history = await siteflash(['history', '--json']);
    expect(history.stdout).toContain('"done"');
    const listed = await siteflash(['image', 'list', '--port', ports[2]!, '--json']);
    expect((JSON.parse(listed.stdout) as { images: { slot: number; version: string }[] }).images.find((s) => s.slot === 0)).toMatchObject({ version: '1.4.0+2' });
  }, 240_000);
});
