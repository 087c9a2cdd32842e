import { afterEach, describe, expect, it } from 'vitest';
import { JobsService } from '../../../main/jobs/jobs-service';
import { ManualClock } from '../../../main/sim/manual-clock';
import { seededRandom } from '../../../main/sim/rng';
import { fakeImage, FakeDriver, specFor } from './fake-driver';
import { runUntil, tempDb } from './helpers';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe('progress figures of devices that ended', () => {
  it('keep bytes = total for a device that received its image once the job finished, and after a restart', async () => {
    const clock = new ManualClock();
    const driver = new FakeDriver(clock);
    const { db, cleanup } = tempDb();
    cleanups.push(cleanup);
    const image = fakeImage(12_345);
    const make = () => new JobsService({ db, driver, clock, openImage: image.open, rng: seededRandom(7) });
    const service = make();
    const targets = [driver.add('done'), driver.add('reverted', { bootsInto: 'old' }), driver.add('refused', { board: 'sf-other' })];
    const id = service.start(specFor(targets, image.component, { retries: 0 }));
    await runUntil(clock, () => service.get(id).state === 'finished');

    const whole = { bytes: 12_345, total: 12_345, rate: 0, etaSeconds: 0 };
    const none = { bytes: 0, total: 0, rate: 0, etaSeconds: null };
    for (const s of [service, make()]) {
      const job = s.get(id);
      expect(job.devices.map((d) => [d.key, d.state, d.progress])).toEqual([
        ['loopback:done', 'done', whole],
        ['loopback:reverted', 'rolled-back', whole],
        ['loopback:refused', 'failed', none],
      ]);
      expect(job.progress).toMatchObject({ bytes: 2 * 12_345, total: 2 * 12_345, rate: 0 });
    }
  });
});
