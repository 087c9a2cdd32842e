import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../main/sim/manual-clock';
import { SimDevice } from '../../../main/sim/device';
import { buildSimImage } from '../../../main/sim/image-builder';
import { createSimLink } from '../../../main/sim/sim-link';
import { maxChunkData } from '../../../main/smp/chunk-budget';
import { encodePacket, decodePacket } from '../../../main/smp/packet';
import { encodeSerialFrame } from '../../../main/smp/serial-framing';
import { framingFor } from '../../../main/smp/framing-for';
import { harness } from './harness';
import { sha256 } from './upload';

const echo = (seq: number, d = 'hi') => encodePacket({ op: 2, group: 0, id: 0, seq, body: { d } });

describe('serial transport of the simulator', () => {
  it('paces answers at the line rate: 27 bytes at 115200 baud take 2.34 ms', () => {
    const h = harness({ timing: { processingMs: 0 } }, { framing: 'serial', baud: 115200 });
    const line = encodeSerialFrame(echo(0))[0] as Uint8Array;
    h.link.input(line);
    h.clock.advance(2.3);
    expect(h.received.packets.length).toBe(0);
    h.clock.advance(2.4);
    expect(h.received.packets.length).toBe(1);
  });

  it('ignores lines longer than 127 bytes, as Zephyr does', () => {
    const h = harness({}, { framing: 'serial', banner: false });
    const pkt = echo(0, 'x'.repeat(200));
    const text = Buffer.from(new Uint8Array([0, pkt.length + 2, ...pkt, 0, 0])).toString('base64');
    h.sendBytes(new Uint8Array([6, 9, ...Buffer.from(text), 10]));
    h.settle();
    expect(h.received.packets).toEqual([]);
    expect(h.link.dropped.map((d) => d.reason)).toEqual(['line-too-long']);
  });

  it('drops frames that do not fit buf_size (length + packet + CRC)', () => {
    const h = harness({ bufSize: 128 }, { framing: 'serial', banner: false });
    h.sendBytes(encodeSerialFrame(echo(0, 'y'.repeat(120))).reduce((a, b) => new Uint8Array([...a, ...b])));
    expect(h.settle()).toBeUndefined();
    expect(h.link.dropped).toEqual([{ reason: 'too-long', bytes: 8 + 5 + 120 }]);
  });

  it('uploads a whole image over serial frames within the chunk budget', () => {
    const h = harness({ bufSize: 512 }, { framing: 'serial' });
    const img = buildSimImage({ version: '2.0.0+0', board: 'sf-dev-1', bodySize: 10_000 });
    let off = 0;
    let last: Record<string, unknown> = {};
    while (off < img.length) {
      const n = maxChunkData({ bufSize: 512, transport: 'serial', imageLength: img.length, offset: off });
      const body = off === 0 ? { len: img.length, off, sha: sha256(img), data: img.subarray(0, n) } : { off, data: img.subarray(off, off + n) };
      last = h.body({ op: 2, group: 1, id: 1, body });
      off = last.off as number;
    }
    expect(last).toEqual({ off: img.length, match: true });
    expect(h.link.dropped).toEqual([]);
  });

  it('prints the boot banner as a console line after a reset', () => {
    const h = harness({}, { framing: 'serial' });
    h.body({ op: 2, group: 0, id: 5 });
    h.clock.runUntilIdle();
    expect(h.received.console).toEqual(['*** Booting Zephyr OS build v3.7.0 ***']);
  });
});

describe('link faults of the simulator', () => {
  it('with corrupted bytes, the client never gets a wrong packet and some answers survive', () => {
    const h = harness({}, { framing: 'serial', faults: { corruptRate: 0.002 }, banner: false });
    for (let seq = 0; seq < 100; seq++) h.request({ op: 2, group: 0, id: 0, seq, body: { d: `n${seq}` } });
    const bodies = h.received.packets.map((p) => decodePacket(p)).map((r) => (r.ok ? r.body.r : 'bad'));
    expect(bodies.every((b) => typeof b === 'string' && /^n\d+$/.test(b))).toBe(true);
    expect(bodies.length).toBeGreaterThan(50);
    expect(bodies.length).toBeLessThan(100);
    expect([...h.link.dropped, ...h.received.dropped].some((d) => d.reason === 'bad-crc' || d.reason === 'bad-base64')).toBe(true);
  });

  it('the same seed gives the same fault pattern', () => {
    const run = () => {
      const h = harness({}, { framing: 'serial', faults: { dropRate: 0.003 }, banner: false });
      for (let seq = 0; seq < 40; seq++) h.request({ op: 2, group: 0, id: 0, seq, body: { d: `n${seq}` } });
      return h.received.packets.map((p) => p[6]);
    };
    expect(run()).toEqual(run());
  });

  it('breaks the link at byte N and brings it back after the reconnect time, session kept', () => {
    const h = harness({}, { framing: 'raw', faults: { disconnectAtByte: 100, reconnectMs: 500 } });
    const states: string[] = [];
    h.link.onLinkState((s) => states.push(s));
    expect(h.request({ op: 2, group: 0, id: 0, body: { d: 'a'.repeat(20) } })).toBeDefined();
    expect(h.request({ op: 2, group: 0, id: 0, body: { d: 'b'.repeat(80) } })).toBeUndefined();
    expect(states).toEqual(['disconnected', 'connected']);
    expect(h.request({ op: 2, group: 0, id: 0, body: { d: 'c' } })?.body).toEqual({ r: 'c' });
  });

  it('stalls answers and sends malformed ones at the configured rates', () => {
    const h = harness({ faults: { malformedRate: 1 } });
    h.link.input(echo(0));
    h.clock.runUntilIdle();
    const out = framingFor('raw').createDecoder().push(h.wire[0] as Uint8Array, 0);
    const decoded = out.packets.map(decodePacket);
    expect(decoded.filter((r) => r.ok)).toEqual([]);
    expect(out.packets.length + out.dropped.length).toBe(1);

    const s = harness({ faults: { stallRate: 1, stallMs: 4000 } });
    s.link.input(echo(0));
    s.clock.advance(3999);
    expect(s.wire.length).toBe(0);
    s.clock.advance(10);
    expect(s.wire.length).toBe(1);
  });
});

describe('in-process SimLink', () => {
  it('is a Link: open, write a packet, get the answer, unplugged at reset, reopen once booted', async () => {
    const clock = new ManualClock();
    const device = new SimDevice({ board: 'b', id: '0011223344556677', clock });
    const link = createSimLink(device, { clock });
    const data: Uint8Array[] = [];
    const closes: string[] = [];
    link.onData((d) => data.push(d));
    link.onClose((r) => closes.push(r.kind));
    await link.open();
    await link.write(echo(3));
    clock.runUntilIdle();
    expect(decodePacket(data[0] as Uint8Array)).toMatchObject({ ok: true, body: { r: 'hi' } });
    await link.write(encodePacket({ op: 2, group: 0, id: 5, seq: 4 }));
    clock.advance(300);
    expect(closes).toEqual(['unplugged']);
    await expect(link.open()).rejects.toMatchObject({ kind: 'not-found' });
    clock.runUntilIdle();
    await link.open();
    expect(link.isOpen).toBe(true);
    await link.close();
    expect(closes).toEqual(['unplugged', 'closed']);
    await expect(link.write(echo(5))).rejects.toMatchObject({ kind: 'not-open' });
  });

  it('speaks BLE framing with notifications of at most MTU − 3 bytes', async () => {
    const clock = new ManualClock();
    const device = new SimDevice({ board: 'b', id: '0011223344556677', clock });
    const link = createSimLink(device, { clock, framing: 'ble', maxWrite: 20 });
    const units: Uint8Array[] = [];
    link.onData((d) => units.push(d));
    await link.open();
    for (const w of framingFor('ble', { maxWrite: 20 }).encode(echo(1, 'z'.repeat(50)))) await link.write(w);
    clock.runUntilIdle();
    expect(units.every((u) => u.length <= 20)).toBe(true);
    const out = framingFor('ble').createDecoder().push(new Uint8Array(Buffer.concat(units)), 0);
    expect(decodePacket(out.packets[0] as Uint8Array)).toMatchObject({ ok: true, body: { r: 'z'.repeat(50) } });
  });
});
