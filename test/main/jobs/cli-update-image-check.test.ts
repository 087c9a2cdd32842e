import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage } from '../../../main/image/build';

// `siteflash update IMAGE` as a user runs it (the built command), against `siteflash sim --personality zephyr`.
const root = resolve(import.meta.dirname, '..', '..', '..');
const bin = join(root, 'main', 'cli', 'bin.js');
let dir = '';
let sim: ChildProcess | undefined;
let port = '';
let sha512 = '';

function siteflash(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { timeout: 120_000, env: { ...process.env, SITEFLASH_DATA_DIR: join(dir, 'data') } }, (err, stdout, stderr) => {
      done({ code: !err ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  expect(existsSync(join(root, 'out', 'main', 'cli.js')), 'run `npm run build` before the tests').toBe(true);
  dir = await mkdtemp(join(tmpdir(), 'siteflash-update-check-'));
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  mkdirSync(join(dir, 'data', 'keys', 'image'), { recursive: true });
  writeFileSync(join(dir, 'data', 'keys', 'image', 'check-test.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
  sha512 = join(dir, 'sha512.bin');
  writeFileSync(sha512, buildImage({ body: new Uint8Array(6000).fill(3), version: '2.0.0+1', signingKey: privateKey, board: 'sf-dev-1', hashAlg: 'sha512' }));
  mkdirSync(join(dir, 'sim'));
  const child = spawn(process.execPath, [bin, 'sim', '--json', '--dir', join(dir, 'sim'), '--personality', 'zephyr'], { stdio: ['ignore', 'pipe', 'pipe'] });
  sim = child;
  let text = '';
  port = await new Promise<string>((ok, fail) => {
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
}, 60_000);

afterAll(() => {
  sim?.kill('SIGINT');
});

describe('siteflash update IMAGE checks the image against the device before the first upload request', () => {
  it('a SHA-512 image to Zephyr 3.x: exit 4 (refused, nothing sent), the result says why, and the device holds nothing new', async () => {
    const r = await siteflash(['update', sha512, '--port', port, '--no-confirm', '--retries', '0', '--json']);
    expect(r.code, r.stderr).toBe(4);
    const device = (JSON.parse(r.stdout) as { jobs: { devices: { state: string; reasonKind: string; reason: string }[] }[] }).jobs[0]!.devices[0]!;
    expect(device).toMatchObject({ state: 'failed', reasonKind: 'hash-not-listed' });
    expect(device.reason).toContain('SHA-512 hash TLV; this device (Zephyr 3.5) lists only SHA-256');
    const list = await siteflash(['image', 'list', '--port', port, '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect((JSON.parse(list.stdout) as { images: { version: string }[] }).images.map((s) => s.version)).not.toContain('2.0.0+1');
    const history = await siteflash(['history', '--json']);
    expect(history.stdout).toContain('SHA-512 hash TLV');
  }, 180_000);
});
