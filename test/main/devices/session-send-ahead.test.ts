import { describe, expect, it } from 'vitest';
import { SmpSession } from '../../../main/devices/session';
import { createLoopbackPair } from '../../../main/links/loopback-link';
import { decodePacket, encodePacket, framingFor, OsCmd, responseOp, SmpGroup, SmpOp, type SmpHeader } from '../../../main/smp';
import { FakeClock } from '../links/fake-clock';

const settle = () => new Promise((r) => setImmediate(r));

/**
 * The device end of a serial loopback that records every line as it arrives and answers only
 * when the test says so, so the test sees exactly which lines the client sent before an answer.
 */
async function setup(o: { window: number; lineBuffers?: number }) {
  const clock = new FakeClock();
  const [host, dev] = createLoopbackPair({ framing: 'serial' });
  await host.open();
  await dev.open();
  const session = new SmpSession(host, { clock, window: o.window, ...(o.lineBuffers === undefined ? {} : { lineBuffers: o.lineBuffers }) });
  const framing = framingFor('serial');
  const decoder = framing.createDecoder();
  /** Lines in arrival order: the seq of the request each belongs to is known once it completes. */
  const lines: { start: boolean }[] = [];
  const received: SmpHeader[] = [];
  dev.onData((chunk) => {
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 0x0a) lines.push({ start: false });
    for (const p of decoder.push(chunk, 0).packets) {
      const d = decodePacket(p);
      if (d.ok) received.push(d.header);
    }
  });
  const answer = (h: SmpHeader) => {
    const packet = encodePacket({ op: responseOp(h.op), group: h.group, id: h.id, seq: h.seq, version: 1, body: { r: 'ok' } });
    for (const unit of framing.encode(packet)) void dev.write(unit);
  };
  /** An echo whose packet takes `n` serial lines (124 base64 characters = 93 bytes per line). */
  const echo = (n: number, signal?: AbortSignal) => {
    const text = 'x'.repeat(93 * n - 4 - 8 - 6 - 20);
    return session.request({ op: 'write', group: SmpGroup.os, id: OsCmd.echo, body: { d: text }, ...(signal ? { signal } : {}) });
  };
  return { clock, session, lines, received, answer, echo, dev };
}

describe('serial send-ahead within the device line buffers (SmpSession.lineBuffers)', () => {
  it('sends only as many lines of the next request as the device holds before the answer, the rest right after it', async () => {
    const t = await setup({ window: 1, lineBuffers: 3 });
    const lines = framingFor('serial').encode(encodePacket({ op: SmpOp.write, group: 0, id: 0, seq: 0, body: { d: 'x'.repeat(93 * 9 - 38) } })).length;
    expect(lines).toBe(9);
    const a = t.echo(9);
    const b = t.echo(9);
    await settle();
    // A whole, then 3 lines of B: B is not complete on the device.
    expect(t.lines).toHaveLength(9 + 3);
    expect(t.received).toHaveLength(1);
    t.answer(t.received[0] as SmpHeader);
    await a;
    await settle();
    expect(t.lines).toHaveLength(18);
    expect(t.received).toHaveLength(2);
    t.answer(t.received[1] as SmpHeader);
    await b;
  });

  it('never completes a request beyond the window, even when it would fit the line budget', async () => {
    const t = await setup({ window: 1, lineBuffers: 7 });
    const a = t.echo(3);
    const b = t.echo(2);
    const c = t.echo(2);
    await settle();
    // A (3 lines) and all but the last line of B; C waits for its turn.
    expect(t.lines).toHaveLength(3 + 1);
    expect(t.received).toHaveLength(1);
    t.answer(t.received[0] as SmpHeader);
    await a;
    await settle();
    expect(t.received).toHaveLength(2);
    expect(t.lines).toHaveLength(3 + 2 + 1);
    t.answer(t.received[1] as SmpHeader);
    await b;
    await settle();
    t.answer(t.received[2] as SmpHeader);
    await c;
  });

  it('counts the lines of every request behind the oldest unanswered one against the budget (window 3, two lines: Zephyr)', async () => {
    const t = await setup({ window: 3, lineBuffers: 2 });
    const all = [t.echo(5), t.echo(5), t.echo(5)];
    await settle();
    // Three 5-line requests may be in the window, but the UART holds only two lines behind the first.
    expect(t.lines).toHaveLength(5 + 2);
    expect(t.received).toHaveLength(1);
    t.answer(t.received[0] as SmpHeader);
    await settle();
    expect(t.lines).toHaveLength(5 + 5 + 2);
    t.answer(t.received[1] as SmpHeader);
    await settle();
    t.answer(t.received[2] as SmpHeader);
    await Promise.all(all);
  });

  it('without a line budget sends whole requests up to the window and nothing of the next one', async () => {
    const t = await setup({ window: 1 });
    expect(t.session.sendAhead).toBe(0);
    const a = t.echo(4);
    const b = t.echo(4);
    await settle();
    expect(t.lines).toHaveLength(4);
    t.answer(t.received[0] as SmpHeader);
    await a;
    await settle();
    expect(t.lines).toHaveLength(8);
    t.answer(t.received[1] as SmpHeader);
    await b;
  });

  it('a request given up while partly sent sends no more of its lines; the next request starts a new packet', async () => {
    const t = await setup({ window: 1, lineBuffers: 3 });
    const a = t.echo(4);
    const ac = new AbortController();
    const b = t.echo(6, ac.signal);
    b.catch(() => undefined);
    await settle();
    expect(t.lines).toHaveLength(4 + 3);
    ac.abort();
    await expect(b).rejects.toMatchObject({ kind: 'cancelled' });
    t.answer(t.received[0] as SmpHeader);
    await a;
    const c = t.echo(2);
    await settle();
    // B's last three lines never went out; C follows whole, and the device decodes it.
    expect(t.lines).toHaveLength(4 + 3 + 2);
    expect(t.received).toHaveLength(2);
    t.answer(t.received[1] as SmpHeader);
    await expect(c).resolves.toMatchObject({ r: 'ok' });
  });
});
