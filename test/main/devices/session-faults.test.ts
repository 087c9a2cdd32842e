import { describe, expect, it } from 'vitest';
import { SmpSession } from '../../../main/devices/session';
import { createLoopbackPair } from '../../../main/links/loopback-link';
import { encodeSerialFrame, encodePacket, decodePacket, framingFor, SmpGroup } from '../../../main/smp';
import { FakeClock } from '../links/fake-clock';

/** A device end that answers each request with the bytes `answer` makes from the request header. */
async function rig(answer: (req: { seq: number; group: number; id: number; op: number }) => Uint8Array | undefined) {
  const clock = new FakeClock();
  const [host, dev] = createLoopbackPair({ framing: 'serial' });
  await host.open();
  await dev.open();
  const decoder = framingFor('serial').createDecoder();
  dev.onData((chunk) => {
    for (const p of decoder.push(chunk, 0).packets) {
      const d = decodePacket(p);
      if (!d.ok) continue;
      const out = answer(d.header);
      if (out) for (const line of encodeSerialFrame(out)) void dev.write(line);
    }
  });
  const session = new SmpSession(host, { clock, timeoutMs: 5000 });
  return { clock, session };
}

/** Settles the request without moving the fake clock: a fault must not need a timeout. */
async function outcome(p: Promise<unknown>): Promise<unknown> {
  let result: unknown = 'pending';
  p.then(
    (v) => (result = { value: v }),
    (e: unknown) => (result = e),
  );
  for (let i = 0; i < 20 && result === 'pending'; i++) await new Promise((r) => setImmediate(r));
  return result;
}

const echo = { op: 'write' as const, group: SmpGroup.os, id: 0, body: { d: 'x' } };

describe('device faults fail the request at once, named, not as a timeout', () => {
  it('malformed CBOR in a well-framed answer', async () => {
    const { session } = await rig((h) => {
      const p = encodePacket({ op: 3, group: h.group, id: h.id, seq: h.seq, body: { r: 'x' } });
      p[8] = 0xff; // a break byte where the map should start
      return p;
    });
    expect(await outcome(session.request(echo))).toMatchObject({ kind: 'protocol', message: 'The device answered echo (group 0, command 0) with malformed CBOR.' });
  });

  it('a body that is not a map', async () => {
    const { session } = await rig((h) => encodePacket({ op: 3, group: h.group, id: h.id, seq: h.seq, body: Uint8Array.of(0x83, 1, 2, 3) }));
    expect(await outcome(session.request(echo))).toMatchObject({ kind: 'protocol', message: expect.stringContaining('a body that is not a CBOR map') });
  });

  it('a header length that does not match the packet', async () => {
    const { session } = await rig((h) => {
      const p = encodePacket({ op: 3, group: h.group, id: h.id, seq: h.seq, body: { r: 'x' } });
      p[3] = (p[3] as number) + 2;
      return p;
    });
    expect(await outcome(session.request(echo))).toMatchObject({ kind: 'protocol', message: expect.stringContaining('header length does not match') });
  });

  it('an answer with the wrong sequence number', async () => {
    const { session } = await rig((h) => encodePacket({ op: 3, group: h.group, id: h.id, seq: (h.seq + 7) & 0xff, body: { r: 'x' } }));
    expect(await outcome(session.request(echo))).toMatchObject({ kind: 'protocol', message: 'The device answered echo (group 0, command 0) with sequence number 7, not the 0 it was sent with.' });
  });

  it('a refusal names the command; rc 8 is final at once', async () => {
    const { session } = await rig((h) => encodePacket({ op: 1, group: h.group, id: h.id, seq: h.seq, body: { rc: 8 } }));
    const err = await outcome(session.request({ op: 'read', group: SmpGroup.field, id: 6, idempotent: true }));
    expect(err).toMatchObject({ kind: 'smp', code: 8, message: expect.stringContaining('The device refused gateway forward (group 64, command 6)') });
  });

  it('a timeout names the command', async () => {
    const { clock, session } = await rig(() => undefined);
    const p = session.request({ op: 'write', group: SmpGroup.image, id: 1, body: { off: 0 } });
    p.catch(() => undefined);
    await clock.advance(5000);
    await expect(p).rejects.toMatchObject({ kind: 'timeout', message: 'The device did not answer image upload (group 1, command 1) within 5 s.' });
  });
});
