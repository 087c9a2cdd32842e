import { afterEach, describe, expect, it } from 'vitest';
import { JobsService } from '../../../main/jobs/jobs-service';
import type { DeviceStateEvent, JobSpec } from '../../../main/jobs/types';
import { ManualClock } from '../../../main/sim/manual-clock';
import { seededRandom } from '../../../main/sim/rng';
import { fakeImage, FakeDriver, specFor } from './fake-driver';
import { runUntil, tempDb } from './helpers';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function setup(size = 10_000) {
  const clock = new ManualClock();
  const driver = new FakeDriver(clock);
  const { db, cleanup } = tempDb();
  cleanups.push(cleanup);
  const image = fakeImage(size);
  let wall = 1_700_000_000_000;
  const make = () => new JobsService({ db, driver, clock, openImage: image.open, rng: seededRandom(7), wallNow: () => (wall += 1) });
  const service = make();
  const states: DeviceStateEvent[] = [];
  service.on('job:device-state', (e) => states.push(e));
  return { clock, driver, db, image, service, states, make };
}

const settled = (s: JobsService, id: string) => () => s.get(id).devices.every((d) => ['done', 'failed', 'rolled-back', 'cancelled'].includes(d.state));

describe('JobsService over a fake driver on a fake clock', () => {
  it('takes every device through the states to done, journaling each transition before it is emitted', async () => {
    const { clock, driver, service, image } = setup();
    const spec = specFor([driver.add('a'), driver.add('b')], image.component);
    const seenAtEmit: string[] = [];
    service.on('job:device-state', (e) => seenAtEmit.push(`${e.to}=${service.journal.device(e.jobId, e.deviceKey)?.state}`));
    const id = service.start(spec);
    await runUntil(clock, settled(service, id));
    const job = service.get(id);
    expect(job.devices.map((d) => d.state)).toEqual(['done', 'done']);
    expect(seenAtEmit.every((s) => s.split('=')[0] === s.split('=')[1])).toBe(true);
    const path = service.journal.events(id).filter((e) => e.deviceKey === 'loopback:a' && e.kind === 'state').map((e) => e.to);
    expect(path).toEqual(['in-update-mode', 'verified', 'transferring', 'installing', 'rejoined', 'done']);
    const seqs = service.journal.events(id).map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(driver.device('a').stats.confirms).toBe(1);
    expect(service.journal.job(id)?.state).toBe('finished');
  });

  it('retries a dropped link with backoff and resumes the transfer from the device offset', async () => {
    const { clock, driver, service, image } = setup(10_000);
    const id = service.start(specFor([driver.add('a', { dropAt: [3000, 7000] })], image.component));
    await runUntil(clock, settled(service, id));
    const dev = driver.device('a');
    expect(service.get(id).devices[0]?.state).toBe('done');
    expect(dev.stats.transfers).toBe(3);
    expect(dev.stats.bytesSent).toBe(10_000);
    const retries = service.journal.events(id).filter((e) => e.kind === 'retry');
    expect(retries.map((r) => r.detail.kind)).toEqual(['link-closed', 'link-closed']);
  });

  it('fails a device whose transient errors outlast its retries, with the last reason', async () => {
    const { clock, driver, service, image } = setup();
    const id = service.start(specFor([driver.add('a', { busyConnects: 10 })], image.component, { retries: 2 }));
    await runUntil(clock, settled(service, id));
    const d = service.get(id).devices[0];
    expect(d).toMatchObject({ state: 'failed', reasonKind: 'link-closed', retries: 2 });
    expect(driver.device('a').stats.connects).toBe(3);
  });

  it('ends a wrong-board device at once with a readable reason while the others finish', async () => {
    const { clock, driver, service, image } = setup();
    const id = service.start(specFor([driver.add('ok'), driver.add('other', { board: 'another-board' })], image.component));
    await runUntil(clock, settled(service, id));
    const [ok, other] = service.get(id).devices;
    expect(ok?.state).toBe('done');
    expect(other).toMatchObject({ state: 'failed', reasonKind: 'wrong-board' });
    expect(other?.reason).toMatch(/image is for board sf-board; this device is a another-board/);
    expect(driver.device('other').stats.transfers).toBe(0);
  });

  it('reports a device that boots back into its old image as rolled back', async () => {
    const { clock, driver, service, image } = setup();
    const id = service.start(specFor([driver.add('a', { bootsInto: 'old' })], image.component));
    await runUntil(clock, settled(service, id));
    expect(service.get(id).devices[0]).toMatchObject({ state: 'rolled-back', reasonKind: 'rolled-back' });
    expect(driver.device('a').stats.confirms).toBe(0);
  });

  it('pauses one device mid-transfer and resumes it from where the device is', async () => {
    const { clock, driver, service, image } = setup(20_000);
    const id = service.start(specFor([driver.add('a'), driver.add('b')], image.component));
    await runUntil(clock, () => driver.device('a').offset >= 5000);
    service.pause(id, 'loopback:a');
    const heldAt = driver.device('a').offset;
    await runUntil(clock, () => service.get(id).devices[1]?.state === 'done');
    expect(driver.device('a').offset).toBe(heldAt);
    expect(service.get(id).devices[0]).toMatchObject({ state: 'transferring', paused: true });
    service.resume(id, 'loopback:a');
    await runUntil(clock, settled(service, id));
    expect(service.get(id).devices[0]?.state).toBe('done');
    expect(driver.device('a').stats.bytesSent).toBe(20_000);
  });

  it('cancels a transferring device at once, but lets an installing one finish its install', async () => {
    const { clock, driver, service, image, states } = setup(20_000);
    const id = service.start(specFor([driver.add('slow', { bootMs: 2000 }), driver.add('big')], image.component));
    await runUntil(clock, () => service.get(id).devices[0]?.state === 'installing' && driver.device('slow').stats.resets === 1);
    driver.device('big').offset = 0;
    service.cancel(id);
    await runUntil(clock, settled(service, id));
    const [slow, big] = service.get(id).devices;
    expect(big).toMatchObject({ state: 'cancelled', reasonKind: 'cancelled' });
    // The install was not interrupted: the device rejoined with the new image before the cancel took effect.
    expect(states.filter((s) => s.deviceKey === 'loopback:slow').map((s) => s.to)).toContain('rejoined');
    expect(slow?.state).toBe('cancelled');
    expect(slow?.reason).toMatch(/trial/);
    expect(driver.device('slow').slots.find((s) => s.active)?.hash).toBe('bb'.repeat(32));
    expect(service.journal.job(id)?.state).toBe('cancelled');
  });

  it('waits at LED checkpoints per device without blocking the others, and records the answers', async () => {
    const { clock, driver, service, image } = setup();
    const prompts: string[] = [];
    service.on('job:led-prompt', (p) => prompts.push(`${p.deviceKey}:${p.pattern}`));
    const id = service.start(specFor([driver.add('a'), driver.add('b'), driver.add('c')], image.component, { ledConfirm: true }));
    await runUntil(clock, () => prompts.length === 3);
    expect(service.answerLed(id, 'loopback:b', true)).toBe(true);
    expect(service.answerLed(id, 'loopback:c', false)).toBe(true);
    await runUntil(clock, () => prompts.includes('loopback:b:joined'));
    // a is still waiting for its first answer while b went all the way to its rejoin.
    expect(service.get(id).devices[0]).toMatchObject({ state: 'discovered', ledPrompt: { pattern: 'update-mode' } });
    expect(service.get(id).devices[2]).toMatchObject({ state: 'failed', reasonKind: 'led-not-confirmed' });
    service.answerLed(id, 'loopback:b', true);
    service.answerLed(id, 'loopback:a', true);
    await runUntil(clock, () => prompts.includes('loopback:a:joined'));
    service.answerLed(id, 'loopback:a', true);
    await runUntil(clock, settled(service, id));
    expect(service.get(id).devices.map((d) => d.state)).toEqual(['done', 'done', 'failed']);
    const audit = service.history({});
    expect(audit.find((r) => r.deviceKey === 'loopback:b')?.ledAnswers.map((a) => `${a.pattern}:${a.seen}`)).toEqual(['update-mode:true', 'joined:true']);
    expect(audit.find((r) => r.deviceKey === 'loopback:c')?.ledAnswers.map((a) => a.seen)).toEqual([false]);
    expect(driver.device('c').stats.transfers).toBe(0);
  });

  it('resumes after a restart: transfers continue from the device offset, an installing device is re-checked, not re-flashed', async () => {
    const { clock, driver, service, image, make } = setup(20_000);
    const spec: JobSpec = specFor([driver.add('mid'), driver.add('inst', { bootMs: 5000 })], image.component);
    const id = service.start(spec);
    await runUntil(clock, () => driver.device('inst').stats.resets === 1 && driver.device('mid').offset >= 1000);
    driver.device('mid').offset = Math.min(driver.device('mid').offset, 8000);
    await service.close();
    const atStop = driver.device('mid').offset;
    expect(service.journal.device(id, 'loopback:inst')?.installStep).toBe('reset-sent');

    const again = make();
    expect(again.resumeUnfinished()).toEqual([id]);
    await runUntil(clock, settled(again, id));
    expect(again.get(id).devices.map((d) => d.state)).toEqual(['done', 'done']);
    expect(driver.device('inst').stats.transfers).toBe(1);
    expect(driver.device('inst').stats.resets).toBe(1);
    expect(driver.device('mid').stats.bytesSent).toBeLessThan(20_000 + 1000);
    expect(atStop).toBeGreaterThan(0);
    expect(again.journal.events(id).filter((e) => e.kind === 'job-resumed')).toHaveLength(1);
  });

  it('retries failed devices in a new attempt with its own audit row', async () => {
    const { clock, driver, service, image } = setup();
    const id = service.start(specFor([driver.add('a', { busyConnects: 2 })], image.component, { retries: 0 }));
    await runUntil(clock, settled(service, id));
    expect(service.get(id).devices[0]?.state).toBe('failed');
    expect(service.retryFailed(id)).toBe(1);
    await runUntil(clock, () => service.get(id).devices[0]?.state === 'failed' && service.get(id).devices[0]?.attempt === 2);
    service.retryFailed(id);
    await runUntil(clock, () => service.get(id).devices[0]?.state === 'done');
    expect(service.history({ device: 'loopback:a' }).map((r) => `${r.attempt}:${r.result}`)).toEqual(['3:done', '2:failed', '1:failed']);
  });

  it('refuses a job with the same port twice or without a technician', () => {
    const { driver, service, image } = setup();
    const t = driver.add('a');
    expect(() => service.start(specFor([t, t], image.component))).toThrow(/listed twice/);
    expect(() => service.start({ ...specFor([t], image.component), technician: ' ' })).toThrow(/technician/);
  });
});
