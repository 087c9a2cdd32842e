import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../../main/devices/errors';
import { SmpSession, type SessionDiagnostic } from '../../../main/devices/session';
import { createLoopbackPair } from '../../../main/links/loopback-link';
import { SmpError } from '../../../main/smp';
import { FakeClock, settle } from '../links/fake-clock';
import { ScriptedDevice, type SeenRequest } from './scripted-device';

async function setup(framing: 'raw' | 'serial' = 'raw', handler: (r: SeenRequest) => ReturnType<ScriptedDevice['handler']> = () => ({})) {
  const clock = new FakeClock();
  const [host, dev] = createLoopbackPair({ framing });
  await host.open();
  await dev.open();
  const diagnostics: SessionDiagnostic[] = [];
  const session = new SmpSession(host, { clock, onDiagnostic: (d) => diagnostics.push(d) });
  const device = new ScriptedDevice(dev, handler);
  return { clock, host, dev, session, device, diagnostics };
}

const echoBody = (r: SeenRequest) => ({ r: r.body.d as string });

describe('SmpSession', () => {
  it('echoes over serial framing and sends SMP v2 write headers', async () => {
    const { session, device } = await setup('serial', echoBody);
    const body = await session.request({ op: 'write', group: 0, id: 0, body: { d: 'hi' } });
    expect(body).toEqual({ r: 'hi' });
    expect(device.seen[0]?.header).toMatchObject({ op: 2, version: 1, group: 0, id: 0, seq: 0 });
  });

  it('matches answers to requests by seq when the device answers out of order', async () => {
    const { session, device } = await setup('raw', () => 'silent');
    session.window = 2;
    const a = session.request({ op: 'read', group: 0, id: 0, body: { d: 'a' } });
    const b = session.request({ op: 'read', group: 0, id: 0, body: { d: 'b' } });
    await settle();
    expect(device.seen).toHaveLength(2);
    const [ra, rb] = device.seen as [SeenRequest, SeenRequest];
    device.answer(rb.header, { r: 'b' });
    device.answer(ra.header, { r: 'a' });
    expect(await a).toEqual({ r: 'a' });
    expect(await b).toEqual({ r: 'b' });
  });

  it('numbers requests one by one and wraps the sequence number after 255', async () => {
    const { session, device } = await setup('raw', echoBody);
    for (let i = 0; i < 260; i++) await session.request({ op: 'read', group: 0, id: 0, body: { d: String(i) } });
    const seqs = device.seen.map((r) => r.header.seq);
    expect(seqs.slice(0, 3)).toEqual([0, 1, 2]);
    expect(seqs.slice(254, 260)).toEqual([254, 255, 0, 1, 2, 3]);
  });

  it('times a silent request out after its timeout, not before', async () => {
    const { session, clock } = await setup('raw', () => 'silent');
    let outcome: unknown;
    session.request({ op: 'write', group: 0, id: 5 }).catch((e: unknown) => (outcome = e));
    await clock.advance(4999);
    expect(outcome).toBeUndefined();
    await clock.advance(1);
    expect(outcome).toBeInstanceOf(DeviceError);
    expect((outcome as DeviceError).kind).toBe('timeout');
  });

  it('resends an idempotent request after a timeout and ignores the late answer to the first', async () => {
    let calls = 0;
    const { session, clock, device, diagnostics } = await setup('raw', () => (++calls === 1 ? 'silent' : { r: 'second' }));
    const done = session.request({ op: 'read', group: 0, id: 0, body: { d: 'x' }, idempotent: true });
    await clock.advance(5000);
    expect(await done).toEqual({ r: 'second' });
    expect(device.seen.map((r) => r.header.seq)).toEqual([0, 1]);
    device.answer((device.seen[0] as SeenRequest).header, { r: 'late' });
    await settle();
    expect(diagnostics).toContainEqual({ kind: 'unmatched', seq: 0, group: 0, id: 0 });
  });

  it('never resends a request that is not idempotent (reset)', async () => {
    const { session, clock, device } = await setup('raw', () => 'silent');
    const done = session.request({ op: 'write', group: 0, id: 5 });
    done.catch(() => undefined);
    await clock.advance(20_000);
    await expect(done).rejects.toMatchObject({ kind: 'timeout' });
    expect(device.seen).toHaveLength(1);
  });

  it('gives up on an idempotent request after its retries', async () => {
    const { session, clock, device } = await setup('raw', () => 'silent');
    const done = session.request({ op: 'read', group: 0, id: 6, idempotent: true });
    done.catch(() => undefined);
    await clock.advance(15_000);
    await expect(done).rejects.toMatchObject({ kind: 'timeout' });
    expect(device.seen).toHaveLength(3);
  });

  it('keeps at most `window` requests in flight and sends the next as answers come', async () => {
    const { session, device } = await setup('raw', () => 'silent');
    session.window = 3;
    const all = Array.from({ length: 7 }, (_, i) => session.request({ op: 'read', group: 0, id: 0, body: { d: String(i) } }));
    await settle();
    expect(device.seen).toHaveLength(3);
    expect(session.inFlight).toBe(3);
    device.answer((device.seen[0] as SeenRequest).header, { r: '0' });
    await settle();
    expect(device.seen).toHaveLength(4);
    for (let i = 1; i < 7; i++) {
      device.answer((device.seen[i] as SeenRequest).header, { r: String(i) });
      await settle();
    }
    expect(await Promise.all(all)).toEqual(Array.from({ length: 7 }, (_, i) => ({ r: String(i) })));
  });

  it('turns both error shapes into SmpError with the code name', async () => {
    const { session } = await setup('raw', (r) => (r.header.group === 1 ? { err: { group: 1, rc: 28 } } : { rc: 11 }));
    await expect(session.request({ op: 'write', group: 1, id: 0 })).rejects.toMatchObject({ name: 'SiteflashError', kind: 'smp', group: 1, codeName: 'IMAGE_ALREADY_PENDING' });
    const e = await session.request({ op: 'read', group: 3, id: 0 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SmpError);
    expect((e as SmpError).codeName).toBe('MGMT_ERR_EACCESSDENIED');
  });

  it('falls back to SMP version 1 headers when the device answers "version too new"', async () => {
    const { session, device } = await setup('raw', (r) => (r.header.version > 0 ? { rc: 13 } : { r: 'old' }));
    expect(await session.request({ op: 'write', group: 0, id: 0, body: { d: 'old' } })).toEqual({ r: 'old' });
    expect(device.seen.map((r) => r.header.version)).toEqual([1, 0]);
    expect(session.version).toBe(0);
  });

  it('fails requests in flight as link-closed when the link goes away, and works after it reopens', async () => {
    const { session, host, dev, device } = await setup('raw', () => 'silent');
    const done = session.request({ op: 'read', group: 0, id: 6 });
    await settle();
    dev.unplug();
    await expect(done).rejects.toMatchObject({ kind: 'link-closed' });
    await expect(session.request({ op: 'read', group: 0, id: 6 })).rejects.toMatchObject({ kind: 'link-closed' });
    await host.open();
    await dev.open();
    device.handler = () => ({ buf_size: 512, buf_count: 2 });
    expect(await session.request({ op: 'read', group: 0, id: 6 })).toEqual({ buf_size: 512, buf_count: 2 });
  });

  it('rejects a request when its signal aborts', async () => {
    const { session } = await setup('raw', () => 'silent');
    const ac = new AbortController();
    const done = session.request({ op: 'read', group: 0, id: 0, signal: ac.signal });
    await settle();
    ac.abort();
    await expect(done).rejects.toMatchObject({ kind: 'cancelled' });
    expect(session.inFlight).toBe(0);
  });
});
