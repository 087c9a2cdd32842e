import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { buildImage } from '../../../main/image/build';
import { systemClock } from '../../../main/links/clock';
import { SimDevice } from '../../../main/sim/device';
import { seededRandom } from '../../../main/sim/rng';
import { SimOnPty } from '../devices/sim-on-pty';
import { BOARD, FAST } from './sim-fleet';

const RUNNER = join(import.meta.dirname, 'crash-runner.ts');
const dir = mkdtempSync(join(tmpdir(), 'siteflash-crash-'));
const sims: SimOnPty[] = [];
let child: ChildProcess | undefined;

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  for (const s of sims) await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

function startRunner(args: string[]): { child: ChildProcess; exit: Promise<number | null>; output: () => string } {
  const c = spawn(process.execPath, ['--import', 'tsx', RUNNER, join(dir, 'data'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  c.stdout?.on('data', (b: Buffer) => (text += b.toString()));
  c.stderr?.on('data', (b: Buffer) => (text += b.toString()));
  const exit = new Promise<number | null>((resolve) => c.once('exit', (code) => resolve(code)));
  return { child: c, exit, output: () => text };
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('the engine killed with SIGKILL in the middle of a batch', () => {
  it('comes back with a consistent journal, resumes the job, and continues transfers from the device offset', { timeout: 90_000 }, async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    mkdirSync(join(dir, 'data', 'keys', 'image'), { recursive: true });
    writeFileSync(join(dir, 'data', 'keys', 'image', 'crash-test.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
    const image = buildImage({ body: new Uint8Array(64_000).map((_, i) => (i * 7) & 0xff), version: '1.1.0+0', signingKey: privateKey, board: BOARD });
    const imagePath = join(dir, 'app.signed.bin');
    writeFileSync(imagePath, image);

    // Device 0 is fast and loses power in its swap, so it is installing when the engine dies; 1–3 are slow.
    for (let i = 0; i < 4; i++) {
      const device = new SimDevice({
        board: BOARD,
        id: `5f1a54cc0000000${i}`,
        version: '1.0.0+0',
        clock: systemClock,
        timing: { ...FAST, baud: i === 0 ? 2_000_000 : 200_000 },
        random: seededRandom(i),
        ...(i === 0 ? { faults: { powerLossDuringSwap: true, powerOffMs: 4000 } } : {}),
      });
      sims.push(await SimOnPty.start(device, { followPower: true }));
    }
    const ports = sims.flatMap((s) => ['--port', s.hostPath]);
    const dbPath = join(dir, 'data', 'siteflash.db');
    const run1 = startRunner([imagePath, ...ports, '--no-confirm', '--site', 'Crash Site', '--technician', 'Ada Tech']);
    child = run1.child;
    const full = (image.length * 4) / 3;
    await until(() => {
      if (run1.child.exitCode !== null) throw new Error(`the runner ended early:\n${run1.output()}`);
      return sims.slice(1).every((s) => s.transport.stats.rxBytes > full * 0.25) && sims[0]?.device.isUp === false;
    }, 30_000, 'transfers under way and device 0 installing');
    run1.child.kill('SIGKILL');
    await run1.exit;
    const atKill = sims.map((s) => s.transport.stats.rxBytes);

    const peek = new Database(dbPath, { readonly: true });
    const mid = peek.prepare('SELECT key, state, install_step AS step FROM batch_devices ORDER BY rowid').all() as { key: string; state: string; step: string | null }[];
    peek.close();
    expect(mid[0]).toMatchObject({ state: 'installing', step: 'reset-sent' });
    expect(mid.slice(1).map((d) => d.state)).toEqual(['transferring', 'transferring', 'transferring']);

    const run2 = startRunner(['--resume']);
    child = run2.child;
    const code = await run2.exit;
    expect(code, run2.output()).toBe(0);

    const db = new Database(dbPath, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const jobs = db.prepare('SELECT id, state FROM batch_jobs').all() as { id: string; state: string }[];
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.state).toBe('finished');
    const seqs = (db.prepare('SELECT seq FROM batch_events WHERE job_id = ? ORDER BY seq').all(jobs[0]?.id) as { seq: number }[]).map((r) => r.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    const states = db.prepare('SELECT key, state, attempt FROM batch_devices ORDER BY rowid').all() as { state: string; attempt: number }[];
    expect(states.map((s) => `${s.state}/${s.attempt}`)).toEqual(Array(4).fill('done/1'));
    const perDevice = db.prepare("SELECT device_key AS key, count(*) AS n FROM batch_events WHERE kind = 'state' AND to_state = 'transferring' GROUP BY device_key").all() as { n: number }[];
    expect(perDevice.every((r) => r.n === 1)).toBe(true);
    const resumed = db.prepare("SELECT detail FROM batch_events WHERE kind = 'state' AND to_state = 'installing' ORDER BY seq").all() as { detail: string }[];
    const audit = db.prepare('SELECT result, site, technician, image_sha256 FROM audit_log').all() as { result: string; site: string }[];
    db.close();
    expect(audit).toHaveLength(4);
    expect(audit.every((a) => a.result === 'done' && a.site === 'Crash Site')).toBe(true);
    expect(resumed.map((r) => (JSON.parse(r.detail) as { resumedFrom: number }).resumedFrom).filter((n) => n > 0)).toHaveLength(3);

    // Device 0 was re-checked by its image state, not flashed again; the others sent only what they still lacked.
    const after = sims.map((s, i) => s.transport.stats.rxBytes - (atKill[i] as number));
    const fullTransfer = atKill[0] as number;
    expect(after[0]).toBeLessThan(fullTransfer * 0.05);
    for (let i = 1; i < 4; i++) {
      // A restart from zero would send a whole transfer after the kill; a resume sends only the rest.
      expect(after[i]).toBeLessThan(fullTransfer - (atKill[i] as number) * 0.9);
      expect((atKill[i] as number) + (after[i] as number)).toBeLessThan(fullTransfer * 1.1);
    }
    for (const s of sims) {
      expect(s.device.stats.swaps).toBe(1);
      expect(s.device.flash.onTrial).toBe(false);
      expect(s.device.flash.image(0)?.version.minor).toBe(1);
    }
  });
});
