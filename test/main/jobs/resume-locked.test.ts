import { afterEach, describe, expect, it } from 'vitest';
import { SiteflashError } from '../../../main/errors';
import { JobsService } from '../../../main/jobs/jobs-service';
import { ManualClock } from '../../../main/sim/manual-clock';
import { seededRandom } from '../../../main/sim/rng';
import { fakeImage, FakeDriver, specFor } from './fake-driver';
import { runUntil, tempDb } from './helpers';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

describe('resuming unfinished jobs when another process holds one of them', () => {
  it('resumes the free jobs, leaves the locked one untouched and says so; throws when none was free', async () => {
    const clock = new ManualClock();
    const driver = new FakeDriver(clock);
    const { db, cleanup } = tempDb();
    cleanups.push(cleanup);
    const image = fakeImage(5000);
    const held = new Set(['job-b']);
    const released: string[] = [];
    let n = 0;
    const make = () =>
      new JobsService({
        db, driver, clock, openImage: image.open, rng: seededRandom(1), newId: () => `job-${'ab'[n++]}`,
        lockJob: (id) => {
          if (held.has(id)) throw new SiteflashError('job-locked', `Job ${id} is already being run by siteflash update (pid 4242, since then).`);
          return { release: () => released.push(id) };
        },
      });
    // Two jobs left unfinished by a quit.
    const first = make();
    held.clear();
    const a = first.start(specFor([driver.add('a')], image.component));
    const b = first.start(specFor([driver.add('b')], image.component));
    await first.close();
    held.add('job-b');

    const again = make();
    const refused: string[] = [];
    expect(again.resumeUnfinished((id, err) => refused.push(`${id}: ${(err as Error).message}`))).toEqual([a]);
    expect(refused).toEqual([`${b}: Job ${b} is already being run by siteflash update (pid 4242, since then).`]);
    expect(again.journal.events(b).filter((e) => e.kind === 'job-resumed')).toEqual([]);
    await runUntil(clock, () => again.get(a).state === 'finished');
    expect(released).toContain(a);
    expect(again.get(b).devices[0]?.state).not.toBe('done');

    held.add('job-a');
    const third = make();
    // job-a is finished; only job-b is unfinished and it is held: the refusal itself is thrown.
    expect(() => third.resumeUnfinished()).toThrow(/already being run by siteflash update \(pid 4242/);
  });
});
