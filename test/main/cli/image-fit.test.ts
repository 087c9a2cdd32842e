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

let dir = '';
const sims: ChildProcess[] = [];
const images = { tagged: '' };

/** Exit code (-1 when killed by a signal), stdout, stderr. */
function siteflash(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { timeout: 120_000, env: { ...process.env, SITEFLASH_DATA_DIR: join(dir, 'data') } }, (err, stdout, stderr) => {
      done({ code: !err ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
    });
  });
}

async function startSim(name: string, extra: string[]): Promise<string> {
  mkdirSync(join(dir, name));
  const child = spawn(process.execPath, [bin, 'sim', '--json', '--dir', join(dir, name), ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  sims.push(child);
  let text = '';
  return new Promise<string>((ok, fail) => {
    child.stdout.on('data', (b: Buffer) => {
      text += b.toString();
      try {
        ok((JSON.parse(text) as { devices: { path: string }[] }).devices[0]!.path);
      } catch {
        // not whole yet
      }
    });
    child.on('exit', (code) => fail(new Error(`siteflash sim exited ${code}`)));
  });
}

async function versions(port: string): Promise<string[]> {
  const r = await siteflash(['image', 'list', '--port', port, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { images: { version: string }[] }).images.map((s) => s.version);
}

let zephyr = '';

beforeAll(async () => {
  expect(existsSync(join(root, 'out', 'main', 'cli.js')), 'run `npm run build` before the tests').toBe(true);
  dir = await mkdtemp(join(tmpdir(), 'siteflash-fit-'));
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  mkdirSync(join(dir, 'data', 'keys', 'image'), { recursive: true });
  writeFileSync(join(dir, 'data', 'keys', 'image', 'fit-test.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
  const body = new Uint8Array(6000).fill(3);
  const write = (name: string, bytes: Uint8Array) => (writeFileSync(join(dir, name), bytes), join(dir, name));
  images.tagged = write('tagged.bin', buildImage({ body, version: '2.0.0+3', signingKey: privateKey, board: 'sf-dev-1' }));
  zephyr = await startSim('zephyr', ['--personality', 'zephyr']);
}, 60_000);

afterAll(() => {
  for (const s of sims) s.kill('SIGINT');
});

describe('plain upload checks the board tag it can (built CLI against siteflash sim --personality zephyr)', () => {
  it('a device without a field group: the board tag cannot be checked, said as a warning, and the upload goes on', async () => {
    // --no-pipeline: this test is about the warning; Zephyr's two line buffers and pipelining are the transfer's own tests.
    const r = await siteflash(['upload', images.tagged, '--port', zephyr, '--no-pipeline']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('warning: The device does not report its board');
    expect(await versions(zephyr)).toContain('2.0.0+3');
  }, 180_000);
});
