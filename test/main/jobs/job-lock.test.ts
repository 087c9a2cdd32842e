/**
 * Two processes, one job: the built `siteflash` command as child processes against a simulated
 * device on a pty. A job left by a killed process is taken over by the next `update --resume`
 * (its lock is stale); a second `update --resume` while that one runs is refused, naming it.
 * Needs `npm run build` (out/main/cli.js).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildImage } from '../../../main/image/build';
import { systemClock } from '../../../main/links/clock';
import { SimDevice } from '../../../main/sim/device';
import { seededRandom } from '../../../main/sim/rng';
import { readHolder } from '../../../main/store/lock-file';
import { SimOnPty } from '../devices/sim-on-pty';
import { BOARD, FAST } from './sim-fleet';

const BIN = join(import.meta.dirname, '..', '..', '..', 'main', 'cli', 'bin.js');
const dir = mkdtempSync(join(tmpdir(), 'siteflash-joblock-'));
const dataDir = join(dir, 'data');
const children: ChildProcess[] = [];
let sim: SimOnPty | undefined;

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[]) {
  const c = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SITEFLASH_DATA_DIR: dataDir } });
  children.push(c);
  let out = '';
  let err = '';
  c.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  c.stderr?.on('data', (b: Buffer) => (err += b.toString()));
  const exit = new Promise<number | null>((resolve) => c.once('exit', (code) => resolve(code)));
  return { child: c, exit, stdout: () => out, stderr: () => err };
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const jobLocks = () => (existsSync(join(dataDir, 'locks')) ? readdirSync(join(dataDir, 'locks')).filter((f) => f.endsWith('.lock')) : []);

describe('siteflash update --resume in two processes at once', () => {
  it('takes over the lock a killed process left, and refuses the second resume naming the first', { timeout: 120_000 }, async () => {
    expect(existsSync(join(import.meta.dirname, '..', '..', '..', 'out', 'main', 'cli.js')), 'run npm run build first').toBe(true);
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    mkdirSync(join(dataDir, 'keys', 'image'), { recursive: true });
    writeFileSync(join(dataDir, 'keys', 'image', 'lock-test.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
    const imagePath = join(dir, 'app.signed.bin');
    const image = buildImage({ body: new Uint8Array(96_000).map((_, i) => (i * 13) & 0xff), version: '1.1.0+0', signingKey: privateKey, board: BOARD });
    writeFileSync(imagePath, image);
    // A slow line (57600 baud: about 17 s for the image) so that each run is still transferring when the next starts, even on a loaded machine.
    const device = new SimDevice({ board: BOARD, id: '5f1a54cc000000a1', version: '1.0.0+0', clock: systemClock, timing: { ...FAST, baud: 57_600 }, random: seededRandom(5) });
    sim = await SimOnPty.start(device);

    const first = cli(['update', imagePath, '--port', sim.hostPath, '--no-confirm', '--technician', 'Ada Tech']);
    await until(() => {
      if (first.child.exitCode !== null) throw new Error(`the first run ended early:\n${first.stderr()}`);
      return sim!.transport.stats.rxBytes > image.length * 0.15;
    }, 60_000, 'the first run transferring');
    const [lockFile] = jobLocks();
    expect(readHolder(join(dataDir, 'locks', lockFile!))).toMatchObject({ pid: first.child.pid, program: 'siteflash update' });
    first.child.kill('SIGKILL');
    await first.exit;
    // The killed process could not remove its lock: it is stale now.
    expect(jobLocks()).toEqual([lockFile]);

    const second = cli(['update', '--resume']);
    await until(() => {
      if (second.child.exitCode !== null) throw new Error(`the resume ended early (${second.child.exitCode}):\n${second.stderr()}`);
      return readHolder(join(dataDir, 'locks', lockFile!))?.pid === second.child.pid;
    }, 30_000, 'the resume taking over the stale lock');

    const third = cli(['update', '--resume', '--json']);
    const thirdCode = await third.exit;
    expect(second.child.exitCode, 'the first resume must still be running for this to test anything').toBeNull();
    expect(thirdCode, third.stdout() + third.stderr()).toBe(1);
    const { error } = JSON.parse(third.stdout()) as { error: { kind: string; message: string } };
    expect(error.kind).toBe('job-locked');
    expect(error.message).toContain(`pid ${second.child.pid}`);
    expect(error.message).toContain('siteflash update --resume');

    expect(await second.exit, second.stderr()).toBe(0);
    expect(device.flash.image(0)?.version.minor).toBe(1);
    expect(device.stats.swaps).toBe(1);
    expect(jobLocks()).toEqual([]);
  });
});
