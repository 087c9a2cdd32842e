/**
 * The data folder's single-instance lock and the job locks, held by a real second process (a
 * child node process that takes the lock and waits): the second taker is told who holds it, a
 * lock left by a dead process is taken over, and the core resuming jobs at start leaves alone a
 * job that another process runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Core } from '../../../main/core';
import { SiteflashError } from '../../../main/errors';
import { INSTANCE_LOCK_FILE, lockDataDir, readHolder } from '../../../main/store/lock-file';
import { openDatabase } from '../../../main/store/database';
import { JobJournal } from '../../../main/store/journal';

const LOCK_MODULE = join(import.meta.dirname, '..', '..', '..', 'main', 'store', 'lock-file.ts');
const dir = mkdtempSync(join(tmpdir(), 'siteflash-locks-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** A second process that takes a lock (`instance` or `job:<id>`) on `dataDir`, prints "locked" and waits to be killed. */
async function holder(dataDir: string, what: string, program: string): Promise<ChildProcess> {
  const take = what === 'instance' ? `m.lockDataDir(${JSON.stringify(dataDir)}, ${JSON.stringify(program)})` : `m.lockJob(${JSON.stringify(dataDir)}, ${JSON.stringify(what.slice(4))}, ${JSON.stringify(program)})`;
  const script = `const m = await import(${JSON.stringify(LOCK_MODULE)}); ${take}; console.log('locked'); setInterval(() => {}, 1000);`;
  const c = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(c);
  let err = '';
  c.stderr?.on('data', (b: Buffer) => (err += b.toString()));
  await new Promise<void>((resolve, reject) => {
    c.stdout?.on('data', (b: Buffer) => b.toString().includes('locked') && resolve());
    c.once('exit', (code) => reject(new Error(`the lock holder exited ${code}: ${err}`)));
  });
  return c;
}

async function kill(c: ChildProcess): Promise<void> {
  const gone = new Promise((r) => c.once('exit', r));
  c.kill('SIGKILL');
  await gone;
}

describe('the data folder lock', () => {
  it('refuses a second instance naming pid, program and since when; takes over once the holder died', { timeout: 60_000 }, async () => {
    const dataDir = join(dir, 'instance');
    const other = await holder(dataDir, 'instance', 'the siteflash browser host');
    let refused: unknown;
    try {
      lockDataDir(dataDir, 'the siteflash app');
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(SiteflashError);
    const e = refused as SiteflashError;
    expect(e.kind).toBe('instance-locked');
    expect(e.message).toContain(`pid ${other.pid}`);
    expect(e.message).toContain('the siteflash browser host');
    expect(e.message).toContain(dataDir);
    expect(e.message).toMatch(/since \d{4}-\d\d-\d\dT/);
    expect(statSync(join(dataDir, INSTANCE_LOCK_FILE)).mode & 0o777).toBe(0o600);

    await kill(other);
    const mine = lockDataDir(dataDir, 'the siteflash app');
    expect(readHolder(join(dataDir, INSTANCE_LOCK_FILE))).toMatchObject({ pid: process.pid, program: 'the siteflash app' });
    mine.release();
    expect(readHolder(join(dataDir, INSTANCE_LOCK_FILE))).toBeNull();
  });
});

describe('the core resuming unfinished jobs at start', () => {
  it('leaves a job another process holds, and resumes it once that process is gone', { timeout: 60_000 }, async () => {
    const dataDir = join(dir, 'core');
    const { db } = openDatabase({ dataDir });
    const journal = new JobJournal(db);
    const spec = {
      release: { kind: 'image' as const, name: 'x.bin', components: [{ board: 'b', version: '1.1.0', path: join(dir, 'missing.bin'), size: 1, sha256: '00'.repeat(32), imageHash: '11'.repeat(32) }] },
      targets: [{ link: { kind: 'serial' as const, path: join(dir, 'no-such-port') } }],
      policy: { ledConfirm: false, retries: 0, afterRejoin: 'confirm' as const },
      technician: 'Ada Tech',
    };
    journal.createJob('job-held', spec, [{ key: `serial:${join(dir, 'no-such-port')}`, link: `serial:${join(dir, 'no-such-port')}` }]);
    db.close();

    const other = await holder(dataDir, 'job:job-held', 'siteflash update --resume');
    const core = new Core({ dataDir, host: 'cli', logToFile: false, portLister: async () => [], deviceSources: {} });
    const warnings: string[] = [];
    core.logs.onLine((l) => warnings.push(l.message));
    try {
      core.start();
      const events = () => core.services.jobs.journal.events('job-held').map((e) => e.kind);
      expect(events()).not.toContain('job-resumed');
      expect(warnings.join('\n')).toMatch(new RegExp(`not resumed: Job job-held is already being run by siteflash update --resume \\(pid ${other.pid}`));
    } finally {
      await core.close();
    }

    await kill(other);
    const again = new Core({ dataDir, host: 'cli', logToFile: false, portLister: async () => [], deviceSources: {} });
    try {
      again.start();
      expect(again.services.jobs.journal.events('job-held').map((e) => e.kind)).toContain('job-resumed');
    } finally {
      await again.close();
    }
  });
});
