import { describe, expect, it } from 'vitest';
import { chooseWindow, DEFAULT_PARAMS, negotiateParams, windowFor } from '../../../main/devices/params';
import { SmpSession } from '../../../main/devices/session';
import { createLoopbackPair } from '../../../main/links/loopback-link';
import { FakeClock } from '../links/fake-clock';
import { ScriptedDevice, type Reply, type SeenRequest } from './scripted-device';

async function sessionWith(reply: Reply) {
  const clock = new FakeClock();
  const [host, dev] = createLoopbackPair({ framing: 'raw' });
  await host.open();
  await dev.open();
  new ScriptedDevice(dev, () => reply);
  return { session: new SmpSession(host, { clock, window: 5 }), clock };
}

describe('negotiateParams', () => {
  it('keeps one buffer free: window = buf_count − 1, at least 1', () => {
    expect(windowFor(4)).toBe(3);
    expect(windowFor(1)).toBe(1);
  });

  it('sizes the window from the device answer', async () => {
    const { session } = await sessionWith({ buf_size: 2475, buf_count: 5 });
    expect(await negotiateParams(session)).toEqual({ bufSize: 2475, bufCount: 5, fromDevice: true });
    expect(session.window).toBe(4);
  });

  it('falls back to 384 bytes and a window of 1 when the device answers ENOTSUP', async () => {
    const { session } = await sessionWith({ rc: 8 });
    expect(await negotiateParams(session)).toEqual({ ...DEFAULT_PARAMS, fromDevice: false });
    expect(DEFAULT_PARAMS.bufSize).toBe(384);
    expect(session.window).toBe(1);
  });

  it('falls back to the safe defaults when the device does not answer at all', async () => {
    const { session, clock } = await sessionWith('silent');
    const done = negotiateParams(session);
    await clock.advance(15_000);
    expect(await done).toEqual({ ...DEFAULT_PARAMS, fromDevice: false });
    expect(session.window).toBe(1);
  });

  it('on a packet link leaves the line budget unset: whole requests up to the window', async () => {
    const { session } = await sessionWith({ buf_size: 2475, buf_count: 5 });
    const params = await negotiateParams(session);
    expect(params.lineBuffers).toBeUndefined();
    expect(session.lineBuffers).toBeUndefined();
    expect(session.sendAhead).toBe(0);
  });

  it('on serial gives a server that reports its buffers the two lines of a Zephyr UART, or what the caller knows better', async () => {
    for (const [given, expected] of [[undefined, 2], [6, 6], [0, 0]] as const) {
      const [host, dev] = createLoopbackPair({ framing: 'serial' });
      await host.open();
      await dev.open();
      new ScriptedDevice(dev, () => ({ buf_size: 512, buf_count: 4 }));
      const session = new SmpSession(host, { clock: new FakeClock() });
      const params = await negotiateParams(session, given === undefined ? {} : { lineBuffers: given });
      expect(params).toEqual({ bufSize: 512, bufCount: 4, fromDevice: true, lineBuffers: expected });
      expect(session.window).toBe(3);
      expect(session.lineBuffers).toBe(expected);
      expect(session.sendAhead).toBe(1);
    }
  });

  it('a chosen window of 1 (--no-pipeline) also sends nothing of the next request before the answer', async () => {
    const [host, dev] = createLoopbackPair({ framing: 'serial' });
    await host.open();
    await dev.open();
    let lines = 0;
    dev.onData((d) => (lines += d.filter((b) => b === 0x0a).length));
    const held: SeenRequest[] = [];
    const device = new ScriptedDevice(dev, (r) => (r.header.id === 6 ? { buf_size: 512, buf_count: 4 } : (held.push(r), 'silent')));
    const session = new SmpSession(host, { clock: new FakeClock() });
    await negotiateParams(session);
    chooseWindow(session, 3);
    expect(session.lineBuffers).toBe(2);
    chooseWindow(session, 1);
    expect(session.window).toBe(1);
    expect(session.lineBuffers).toBe(0);
    const before = lines;
    const echo = () => session.request({ op: 'write', group: 0, id: 0, body: { d: 'x'.repeat(300) } });
    const a = echo();
    const b = echo();
    await new Promise((r) => setImmediate(r));
    // A is 4 lines; none of B's went out.
    expect(lines - before).toBe(4);
    device.answer((held[0] as SeenRequest).header, { r: 'a' });
    await a;
    await new Promise((r) => setImmediate(r));
    expect(lines - before).toBe(8);
    device.answer((held[1] as SeenRequest).header, { r: 'b' });
    await b;
  });

  it('passes other refusals on', async () => {
    const { session } = await sessionWith({ rc: 11 });
    await expect(negotiateParams(session)).rejects.toMatchObject({ kind: 'smp', code: 11 });
  });
});
