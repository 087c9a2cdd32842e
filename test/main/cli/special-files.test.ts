import { execFile, execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle } from '../../../main/image/bundle-build';

const root = resolve(import.meta.dirname, '..', '..', '..');
const VECTORS = resolve(root, '..', 'shared', 'vectors');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the built `siteflash` as a child process; a hang ends at the 60 s kill and fails the exit-code check. */
function siteflash(args: string[], dataDir: string): Promise<Run> {
  const started = Date.now();
  return new Promise((done) => {
    const child = execFile(process.execPath, [join(root, 'main', 'cli', 'bin.js'), ...args], { env: { ...process.env, SITEFLASH_DATA_DIR: dataDir }, timeout: 60_000, killSignal: 'SIGKILL', maxBuffer: 1 << 20 }, (_err, stdout, stderr) => {
      done({ code: child.exitCode, signal: child.signalCode, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** A ustar header for one regular file (tar(5)); `size` may be far larger than any data that follows. */
function tarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

const padded = (b: Uint8Array) => Buffer.concat([Buffer.from(b), Buffer.alloc((512 - (b.length % 512)) % 512)]);

/**
 * A gzip bomb: `lead` (tar blocks, its own gzip member), then one entry claiming 4 GiB whose data
 * is 64 concatenated gzip members of 64 MiB of zeros each. About 4 MB on disk.
 */
function gzipBomb(lead: Buffer[], bigName: string): Buffer {
  const zeros = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
  const head = gzipSync(Buffer.concat([...lead, tarHeader(bigName, 4 * 1024 * 1024 * 1024)]));
  return Buffer.concat([head, ...Array.from({ length: 64 }, () => zeros)]);
}

let dir: string;
let dataDir: string;
let fifo: string;
let socketPath: string;
let server: Server;

beforeAll(async () => {
  expect(existsSync(join(root, 'out', 'main', 'cli.js')), 'run `npm run build` before the tests').toBe(true);
  dir = await mkdtemp(join(tmpdir(), 'siteflash-special-'));
  dataDir = join(dir, 'data');
  await mkdir(dataDir);
  fifo = join(dir, 'image.fifo');
  execFileSync('mkfifo', [fifo]);
  socketPath = join(dir, 'image.sock');
  server = createServer(() => undefined);
  await new Promise<void>((ok) => server.listen(socketPath, ok));
});

afterAll(async () => {
  await new Promise((ok) => server.close(ok));
  await rm(dir, { recursive: true, force: true });
});

describe('the built CLI refuses inputs that are not regular files, before reading', () => {
  const cases: [string, () => string, RegExp][] = [
    ['a FIFO', () => fifo, /is a named pipe \(FIFO\), not a (regular file|bundle folder or archive)/],
    ['/dev/zero', () => '/dev/zero', /is a character device, not a (regular file|bundle folder or archive)/],
    ['a socket', () => socketPath, /is a socket, not a (regular file|bundle folder or archive)/],
  ];
  for (const [what, path, message] of cases) {
    it(`verify, inspect, bundle import and keys import refuse ${what} with exit 3`, async () => {
      const runs = {
        verify: await siteflash(['verify', path()], dataDir),
        inspect: await siteflash(['inspect', path()], dataDir),
        'bundle import': await siteflash(['bundle', 'import', path()], dataDir),
        'keys import': await siteflash(['keys', 'import', path(), '--name', 'k', '--role', 'image'], dataDir),
      };
      for (const [name, run] of Object.entries(runs)) {
        expect({ name, code: run.code, signal: run.signal }).toEqual({ name, code: 3, signal: null });
        expect(run.stderr, name).toMatch(message);
        expect(run.stderr, name).toContain(path());
      }
    }, 300_000);
  }

  it('verify --key with a FIFO is a usage error naming it, not a hang', async () => {
    const run = await siteflash(['verify', join(VECTORS, 'images', 's01_ed25519_basic.bin'), '--key', fifo], dataDir);
    expect([run.code, run.signal]).toEqual([2, null]);
    expect(run.stderr).toMatch(/Cannot read the key file .*image\.fifo: it is a named pipe \(FIFO\)/);
  }, 120_000);
});

describe('bundle import of a gzip bomb stops at the bytes actually inflated', () => {
  it('stops at the manifest’s declared sizes plus slack when the manifest comes first', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const image = readFileSync(join(VECTORS, 'images', 's01_ed25519_basic.bin'));
    const built = buildBundle({ id: 'bomb', systemVersion: '1', created: '2026-12-01T00:00:00Z', releaseKey: privateKey, components: [{ board: 'b', hwRevisions: ['1'], name: 'a.bin', image }] });
    const manifest = built.files.get('manifest.json') as Uint8Array;
    const bomb = join(dir, 'bomb-manifest.tar.gz');
    await writeFile(bomb, gzipBomb([tarHeader('manifest.json', manifest.length), padded(manifest)], 'images/a.bin'));
    const run = await siteflash(['bundle', 'import', bomb], dataDir);
    expect([run.code, run.signal]).toEqual([3, null]);
    expect(run.stderr).toMatch(/(inflates to|holds) more than \d+ bytes/);
    // Bounded by the manifest: 5,776 bytes of image, so far below the fixed 1 GiB cap.
    const limit = Number(/more than (\d+) bytes/.exec(run.stderr)?.[1]);
    expect(limit).toBeLessThan(17 * 1024 * 1024);
    // Nothing of it is left in the data folder.
    expect((await readdir(join(dataDir, 'bundles')).catch(() => [])).filter((n) => n !== '.' && n !== '..')).toEqual([]);
    console.log(`gzip bomb, manifest first: refused after ${run.ms} ms (limit ${limit} bytes)`);
  }, 120_000);

  it('stops at 100 times the compressed size when no manifest came first', async () => {
    const bomb = join(dir, 'bomb-plain.tar.gz');
    await writeFile(bomb, gzipBomb([], 'junk/zeros.bin'));
    const run = await siteflash(['bundle', 'import', bomb, '--json'], dataDir);
    expect([run.code, run.signal]).toEqual([3, null]);
    const out = JSON.parse(run.stdout) as { ok: boolean; error: { kind: string; message: string } };
    expect(out).toMatchObject({ ok: false, error: { kind: 'bundle-unreadable' } });
    expect(out.error.message).toContain('inflates more than 100 times its compressed size');
    console.log(`gzip bomb, no manifest: refused after ${run.ms} ms`);
  }, 180_000);
});
