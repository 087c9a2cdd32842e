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

function setup() {
  const clock = new ManualClock();
  const driver = new FakeDriver(clock);
  const { db, cleanup } = tempDb();
  cleanups.push(cleanup);
  const image = fakeImage(5000);
  const service = new JobsService({ db, driver, clock, openImage: image.open, rng: seededRandom(7) });
  return { clock, driver, image, service };
}

const CHOSEN = '5f1a550000000042';

describe('the id of a device that ended before it answered', () => {
  it('is the id the technician chose, in the audit row and the snapshot; board and versions stay unknown', async () => {
    const { clock, driver, image, service } = setup();
    const silent = { ...driver.add('silent'), expectedDeviceId: CHOSEN };
    driver.device('silent').up = false;
    const id = service.start(specFor([silent], image.component, { retries: 0 }));
    await runUntil(clock, () => service.get(id).state === 'finished');

    const [row] = service.history({ jobId: id });
    expect(row).toMatchObject({ result: 'failed', deviceId: CHOSEN, board: null, fromVersion: null, toVersion: null, imageSha256: null });
    expect(service.get(id).devices[0]).toMatchObject({ state: 'failed', reasonKind: 'timeout', deviceId: CHOSEN, board: null, fromVersion: null, toVersion: null });
    expect(service.history({ device: CHOSEN }).map((h) => h.jobId)).toEqual([id]);
  });

  it('is the id the device reported when it answered, and stays empty when another device answered on that link', async () => {
    const { clock, driver, image, service } = setup();
    const answered = { ...driver.add('answered', { board: 'sf-other' }) };
    const wrong = { ...driver.add('wrong'), expectedDeviceId: CHOSEN };
    const id = service.start(specFor([answered, wrong], image.component, { retries: 0 }));
    await runUntil(clock, () => service.get(id).state === 'finished');

    const byKey = new Map(service.history({ jobId: id }).map((h) => [h.deviceKey, h]));
    expect(byKey.get('loopback:answered')).toMatchObject({ result: 'failed', deviceId: driver.device('answered').id, board: 'sf-other', fromVersion: '1.0.0' });
    expect(byKey.get('loopback:wrong')).toMatchObject({ result: 'failed', deviceId: null, board: null });
    expect(byKey.get('loopback:wrong')?.reason).toContain(driver.device('wrong').id);
  });
});
