import { afterEach, describe, expect, it } from 'vitest';
import { JobsService } from '../../../main/jobs/jobs-service';
import { UPDATE_MODE_IDLE_MS } from '../../../main/jobs/led-checkpoints';
import type { JobTarget } from '../../../main/jobs/types';
import { ManualClock } from '../../../main/sim/manual-clock';
import { seededRandom } from '../../../main/sim/rng';
import { fakeImage, FakeDriver, specFor } from './fake-driver';
import { runUntil, tempDb } from './helpers';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const T0 = 1_700_000_000_000;

/** A service whose wall clock stands at `T0` unless the test moves it. */
function setup() {
  const clock = new ManualClock();
  const driver = new FakeDriver(clock);
  const { db, cleanup } = tempDb();
  cleanups.push(cleanup);
  const image = fakeImage(5_000);
  const wall = { now: T0 };
  const service = new JobsService({ db, driver, clock, openImage: image.open, rng: seededRandom(3), wallNow: () => wall.now });
  const prompts: string[] = [];
  service.on('job:led-prompt', (p) => prompts.push(`${p.deviceKey}:${p.pattern}`));
  return { clock, driver, image, service, wall, prompts };
}

const answered = (target: JobTarget, seen: boolean, at: number): JobTarget => ({ ...target, updateModeLed: { seen, at } });
const settled = (s: JobsService, id: string) => () => s.get(id).devices.every((d) => ['done', 'failed', 'rolled-back', 'cancelled'].includes(d.state));

describe('update-mode answers given on the Collect screen', () => {
  it('records a "yes" from Collect as the update-mode answer without asking again, and asks only for joined', async () => {
    const { clock, driver, image, service, prompts } = setup();
    const at = T0 - 3 * 60_000;
    const id = service.start(specFor([answered(driver.add('a'), true, at)], image.component, { ledConfirm: true }));
    await runUntil(clock, () => prompts.length === 1);
    expect(prompts).toEqual(['loopback:a:joined']);
    expect(driver.device('a').stats.transfers).toBe(1);
    service.answerLed(id, 'loopback:a', true);
    await runUntil(clock, settled(service, id));
    expect(service.get(id).devices[0]?.state).toBe('done');
    const row = service.history({ jobId: id })[0];
    expect(row?.ledAnswers[0]).toEqual({ pattern: 'update-mode', seen: true, at });
    expect(row?.ledAnswers.map((a) => `${a.pattern}:${a.seen}`)).toEqual(['update-mode:true', 'joined:true']);
    const led = service.journal.events(id).find((e) => e.kind === 'led');
    expect(led?.detail).toMatchObject({ pattern: 'update-mode', seen: true, answeredOn: 'collect' });
  });

  it('ends a device answered "no" on Collect as a "no" on the Update screen would: failed, nothing sent', async () => {
    const { clock, driver, image, service, prompts } = setup();
    const id = service.start(specFor([answered(driver.add('a'), false, T0 - 1000), driver.add('b')], image.component, { ledConfirm: true }));
    await runUntil(clock, () => service.get(id).devices[0]?.state === 'failed' && prompts.length === 1);
    expect(prompts).toEqual(['loopback:b:update-mode']);
    expect(service.get(id).devices[0]).toMatchObject({ reasonKind: 'led-not-confirmed' });
    expect(service.get(id).devices[0]?.reason).toMatch(/did not see the update-mode LED/);
    expect(driver.device('a').stats.transfers).toBe(0);
    expect(service.history({ jobId: id }).find((r) => r.deviceKey === 'loopback:a')?.ledAnswers).toEqual([{ pattern: 'update-mode', seen: false, at: T0 - 1000 }]);
  });

  it('asks again when the Collect answer is older than update mode lasts, and records the new answer', async () => {
    const { clock, driver, image, service, prompts } = setup();
    const stale = T0 - UPDATE_MODE_IDLE_MS - 1;
    const id = service.start(specFor([answered(driver.add('a'), true, stale)], image.component, { ledConfirm: true }));
    await runUntil(clock, () => prompts.length === 1);
    expect(prompts).toEqual(['loopback:a:update-mode']);
    expect(driver.device('a').stats.leds).toEqual(['update-mode']);
    service.answerLed(id, 'loopback:a', true);
    await runUntil(clock, () => prompts.length === 2);
    expect(service.get(id).devices[0]?.ledAnswers).toEqual([{ pattern: 'update-mode', seen: true, at: T0 }]);
  });

  it('trusts an answer exactly as old as update mode lasts, but not one from ahead of the clock', async () => {
    const { clock, driver, image, service, prompts } = setup();
    const targets = [answered(driver.add('edge'), true, T0 - UPDATE_MODE_IDLE_MS), answered(driver.add('ahead'), true, T0 + 60_000)];
    service.start(specFor(targets, image.component, { ledConfirm: true }));
    await runUntil(clock, () => prompts.length === 2);
    expect(prompts.sort()).toEqual(['loopback:ahead:update-mode', 'loopback:edge:joined']);
  });

  it('asks again on a retry of a device that failed after its Collect answer', async () => {
    const { clock, driver, image, service, prompts } = setup();
    const id = service.start(specFor([answered(driver.add('a'), false, T0 - 1000)], image.component, { ledConfirm: true }));
    await runUntil(clock, settled(service, id));
    expect(prompts).toEqual([]);
    expect(service.retryFailed(id)).toBe(1);
    await runUntil(clock, () => prompts.length === 1);
    expect(prompts).toEqual(['loopback:a:update-mode']);
  });
});

describe('a device that already runs the release', () => {
  it('is not asked the update-mode LED question, and no Collect answer is recorded for it', async () => {
    const { clock, driver, image, service, prompts } = setup();
    const current = answered(driver.add('current'), true, T0 - 1000);
    driver.device('current').slots = [{ slot: 0, version: image.component.version, hash: image.component.imageHash, active: true, pending: false, confirmed: true }];
    const id = service.start(specFor([current, driver.add('old')], image.component, { ledConfirm: true }));
    await runUntil(clock, () => prompts.length === 1);
    expect(prompts).toEqual(['loopback:old:update-mode']);
    service.cancel(id, 'loopback:old');
    await runUntil(clock, settled(service, id));
    const d = service.get(id).devices.find((x) => x.key === 'loopback:current');
    expect(d).toMatchObject({ state: 'done', reasonKind: 'already-up-to-date', ledAnswers: [] });
    expect(driver.device('current').stats.leds).toEqual([]);
    expect(service.history({ jobId: id }).find((r) => r.deviceKey === 'loopback:current')?.ledAnswers).toEqual([]);
  });
});
