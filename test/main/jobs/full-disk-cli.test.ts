/**
 * The built `siteflash update` with its data folder on a 1 MiB tmpfs that fills up in the middle
 * of the transfer: the command ends by itself with exit 1 and "Disk full … resume" (no SqliteError,
 * no crash), and `update --resume` after space is freed finishes the job from its journal.
 * Needs `npm run build`; skipped, saying why, where a tmpfs cannot be mounted.
 */
import { execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage } from '../../../main/image/build';
import { systemClock } from '../../../main/links/clock';
import { SimDevice } from '../../../main/sim/device';
import { seededRandom } from '../../../main/sim/rng';
import { SimOnPty } from '../devices/sim-on-pty';
import { BOARD, FAST } from './sim-fleet';

const BIN = join(import.meta.dirname, '..', '..', '..', 'main', 'cli', 'bin.js');
const dir = mkdtempSync(join(tmpdir(), 'siteflash-fulldisk-cli-'));
const mnt = join(dir, 'mnt');
let mountError: string | null = null;
let sim: SimOnPty | undefined;

beforeAll(() => {
  mkdirSync(mnt);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt], { stdio: 'pipe' });
  } catch (err) {
    mountError = err instanceof Error ? err.message : String(err);
  }
});
afterAll(async () => {
  await sim?.stop();
  if (!mountError) execFileSync('umount', ['-l', mnt]);
  rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[], dataDir: string) {
  const c = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SITEFLASH_DATA_DIR: dataDir } });
  let text = '';
  c.stdout?.on('data', (b: Buffer) => (text += b.toString()));
  c.stderr?.on('data', (b: Buffer) => (text += b.toString()));
  const exit = new Promise<number | null>((resolve) => c.once('exit', (code) => resolve(code)));
  return { child: c, exit, output: () => text };
}

function fillDisk(): string {
  const filler = join(mnt, 'filler');
  const fd = openSync(filler, 'w');
  try {
    for (;;) writeSync(fd, Buffer.alloc(16 * 1024, 1));
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  return filler;
}

describe('siteflash update when the disk fills up mid-transfer', () => {
  it('exits 1 with "Disk full … resume", and update --resume finishes the job once space is free', { timeout: 120_000 }, async (ctx) => {
    if (mountError) ctx.skip(`cannot mount a tmpfs here (${mountError}); a full disk needs a small file system of its own`);
    const dataDir = join(mnt, 'data');
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    mkdirSync(join(dataDir, 'keys', 'image'), { recursive: true });
    writeFileSync(join(dataDir, 'keys', 'image', 'disk-test.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
    const image = buildImage({ body: new Uint8Array(64_000).map((_, i) => (i * 11) & 0xff), version: '1.1.0+0', signingKey: privateKey, board: BOARD });
    const imagePath = join(dir, 'app.signed.bin'); // outside the small disk
    writeFileSync(imagePath, image);
    const device = new SimDevice({ board: BOARD, id: '5f1a54cc000000d1', version: '1.0.0+0', clock: systemClock, timing: { ...FAST, baud: 115_200 }, random: seededRandom(9) });
    sim = await SimOnPty.start(device);

    const run = cli(['update', imagePath, '--port', sim.hostPath, '--no-confirm', '--technician', 'Ada Tech'], dataDir);
    const end = Date.now() + 60_000;
    while (sim.transport.stats.rxBytes < image.length * 0.2) {
      if (run.child.exitCode !== null) throw new Error(`update ended early:\n${run.output()}`);
      if (Date.now() > end) throw new Error(`no transfer:\n${run.output()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    const filler = fillDisk();
    const code = await run.exit;
    expect(code, run.output()).toBe(1);
    expect(run.output()).toMatch(/Disk full: siteflash could not write to .*siteflash\.db\. Free some space on that disk, then resume the job/);
    expect(run.output()).not.toMatch(/SqliteError|^\s+at /m);

    rmSync(filler);
    const resumed = cli(['update', '--resume'], dataDir);
    expect(await resumed.exit, resumed.output()).toBe(0);
    expect(device.flash.image(0)?.version.minor).toBe(1);
    const db = new Database(join(dataDir, 'siteflash.db'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.prepare('SELECT state FROM batch_jobs').all()).toEqual([{ state: 'finished' }]);
      expect(db.prepare('SELECT result FROM audit_log').all()).toEqual([{ result: 'done' }]);
    } finally {
      db.close();
    }
  });
});
