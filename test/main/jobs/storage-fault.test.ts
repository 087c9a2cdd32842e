/**
 * The journal's disk fills up in the middle of a job: the job stops with an error the technician
 * can act on, the process stays up (vitest fails the run on any unhandled rejection), nothing
 * committed before is lost, and the job goes on from its journal once space is free again.
 * Uses a real 1 MiB tmpfs (the tests run as root); skipped, saying why, where mount is impossible.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobsService } from '../../../main/jobs/jobs-service';
import { ManualClock } from '../../../main/sim/manual-clock';
import { seededRandom } from '../../../main/sim/rng';
import { openDatabase } from '../../../main/store/database';
import { fakeImage, FakeDriver, specFor } from './fake-driver';
import { runUntil } from './helpers';

let mnt = '';
let mountError: string | null = null;

beforeAll(() => {
  mnt = mkdtempSync(join(tmpdir(), 'siteflash-fulldisk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tmpfs', mnt], { stdio: 'pipe' });
  } catch (err) {
    mountError = err instanceof Error ? err.message : String(err);
  }
});

afterAll(() => {
  // Lazy: a failed test may still hold the database open; the mount must not outlive the run.
  if (!mountError) execFileSync('umount', ['-l', mnt]);
  rmSync(mnt, { recursive: true, force: true });
});

/** Writes until the disk refuses; returns the file to delete to free the space again. */
function fillDisk(dir: string): string {
  const filler = join(dir, 'filler');
  const fd = openSync(filler, 'w');
  const chunk = Buffer.alloc(16 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  return filler;
}

describe('a full disk in the middle of a job', () => {
  it('stops the job with "disk full: free space, then resume", keeps what was written, and finishes after space is freed', async (ctx) => {
    if (mountError) ctx.skip(`cannot mount a tmpfs here (${mountError}); a full disk needs a small file system of its own`);
    const dataDir = join(mnt, 'data');
    mkdirSync(dataDir);
    const { db, path } = openDatabase({ dataDir });
    const clock = new ManualClock();
    const driver = new FakeDriver(clock);
    const image = fakeImage(40_000);
    let wall = 1_700_000_000_000;
    const service = new JobsService({ db, driver, clock, openImage: image.open, rng: seededRandom(3), wallNow: () => (wall += 1) });
    const jobStates: { state: string; halted?: { kind: string; message: string } }[] = [];
    service.on('job:state', (e) => jobStates.push(e));
    try {
      const id = service.start(specFor([driver.add('a'), driver.add('b')], image.component));
      await runUntil(clock, () => service.journal.devices(id).every((d) => d.state === 'transferring'));
      const before = service.journal.events(id);
      const filler = fillDisk(mnt);

      await runUntil(clock, () => service.haltedBy(id) !== null);
      const halted = service.get(id).halted;
      expect(halted?.kind).toBe('storage-full');
      expect(halted?.message).toMatch(/^Disk full/);
      expect(halted?.message).toContain(path);
      expect(halted?.message).toMatch(/Free some space.*then resume/);
      expect(jobStates.at(-1)?.halted?.kind).toBe('storage-full');
      // Every event committed before the disk filled is still there, unchanged, in order.
      expect(service.journal.events(id).slice(0, before.length)).toEqual(before);
      // No device was marked failed over it: each stopped at a step the journal holds.
      expect(service.journal.devices(id).map((d) => d.state).filter((s) => s === 'failed')).toEqual([]);
      // Stopping the devices is not pretending: nothing moves while halted.
      const frozen = service.journal.events(id).length;
      clock.advance(5_000);
      await runUntil(clock, () => true);
      expect(service.journal.events(id).length).toBe(frozen);

      // Resuming while the disk is still full is refused with the same advice, and the process stays up.
      expect(() => service.resume(id)).toThrow(/Disk full/);

      rmSync(filler);
      service.resume(id);
      expect(service.haltedBy(id)).toBeNull();
      await runUntil(clock, () => service.get(id).state === 'finished');
      expect(service.get(id).devices.map((d) => d.state)).toEqual(['done', 'done']);
      expect(service.get(id).halted).toBeUndefined();
      expect(service.journal.events(id).some((e) => e.kind === 'job-resumed')).toBe(true);
    } finally {
      await service.close();
      db.close();
    }
  }, 60_000);
});
