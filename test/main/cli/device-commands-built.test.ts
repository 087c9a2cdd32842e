import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../../main/sim/fleet';

const root = resolve(import.meta.dirname, '..', '..', '..');
const VECTORS = resolve(root, '..', 'shared', 'vectors');
const BAUD = 1_000_000;
/** A quick device (flash, reset, boot and swap in milliseconds), so the rounds cost the CLI's own time. */
const FAST = { processingMs: 0, eraseMsPerSector: 0.1, writeBytesPerMs: 50_000, resetDelayMs: 5, bootMs: 20, swapMsPerSector: 0.1 };
const ROUNDS = 5;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `siteflash` as a user does: a child process, stdin closed. */
function siteflash(args: string[], dataDir: string): Promise<Run> {
  return new Promise((done) => {
    const child = execFile(process.execPath, [join(root, 'main', 'cli', 'bin.js'), ...args], { env: { ...process.env, SITEFLASH_DATA_DIR: dataDir }, timeout: 120_000, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: unknown; signal?: NodeJS.Signals }) | null;
      done({ code: child.exitCode, signal: e?.signal ?? child.signalCode, stdout, stderr });
    });
    child.stdin?.end();
  });
}

let fleet: Fleet;
let dataDir: string;
let simDir: string;

beforeAll(async () => {
  expect(existsSync(join(root, 'out', 'main', 'cli.js')), 'run `npm run build` before the tests').toBe(true);
  dataDir = await mkdtemp(join(tmpdir(), 'siteflash-cli-rounds-'));
  await mkdir(join(dataDir, 'keys', 'image'), { recursive: true });
  await copyFile(join(VECTORS, 'keys', 'ed25519.pub.pem'), join(dataDir, 'keys', 'image', 'vectors-ed25519.pub.pem'));
  simDir = await mkdtemp(join(tmpdir(), 'siteflash-cli-sim-'));
  // The fleet `siteflash sim` runs, in this process, with a quick device.
  fleet = await startFleet({ count: 1, board: 'sf-dev-1', version: '1.0.0+0', baud: BAUD, dir: simDir, device: { timing: FAST } });
}, 60_000);

afterAll(async () => {
  await fleet?.stop();
  await rm(dataDir, { recursive: true, force: true });
  await rm(simDir, { recursive: true, force: true });
});

describe('the built CLI against simulated devices on ptys', () => {
  it(`exits 0 from every device command, ${ROUNDS} rounds, never by a signal`, async () => {
    const port = ['--port', fleet.members[0]!.clientPath, '--baud', String(BAUD)];
    const a = join(VECTORS, 'images', 's01_ed25519_basic.bin'); // 1.2.3+4
    // 1.1.0+0, SHA-256 (s08 at 4.0.0 has a SHA-512 hash TLV, which the simulated Zephyr 3.7 refuses before
    // any byte; and `update` from 4.0.0 back to 1.2.3 would be a downgrade the job refuses).
    const b = join(VECTORS, 'images', 's06_ed25519_pad_confirm.bin');
    const steps: [string, string[]][] = [
      ['upload', ['upload', a, ...port]],
      ['upload --install', ['upload', b, ...port, '--install']],
      ['update', ['update', a, ...port, '--no-confirm']],
      ['info', ['info', ...port]],
      ['image list', ['image', 'list', ...port]],
      ['echo', ['echo', 'round-trip', ...port]],
      ['reset', ['reset', ...port]],
    ];
    const failures: string[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [name, args] of steps) {
        const run = await siteflash(args, dataDir);
        if (run.code !== 0 || run.signal !== null) failures.push(`round ${round} ${name}: exit ${run.code} signal ${run.signal}: ${run.stderr.trim().slice(-300)}`);
        // What each command says it did is checked too, so a quiet exit 0 cannot pass.
        if (name === 'upload --install') expect(run.stdout, `round ${round}`).toContain('runs 1.1.0+0 and has confirmed it');
        if (name === 'update') expect(run.stdout, `round ${round}`).toMatch(/done\s+1\.1\.0\+0 → 1\.2\.3\+4/);
        if (name === 'echo') expect(run.stdout.trim(), `round ${round}`).toBe('round-trip');
      }
      expect(failures, `after round ${round}`).toEqual([]);
    }
    expect(fleet.members[0]!.device.flash.image(0)?.version).toMatchObject({ major: 1, minor: 2, revision: 3, build: 4 });
  }, 1_500_000);
});
