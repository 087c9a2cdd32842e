import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bleFraming } from '../../../main/smp/ble-framing';
import { framingFor } from '../../../main/smp/framing-for';
import { encodeHidReports, HidFrameDecoder } from '../../../main/smp/hid-framing';
import { encodePacket } from '../../../main/smp/packet';
import { rawFraming } from '../../../main/smp/raw-framing';
import { hex, toHex } from './hex';

const ECHO_REQ = hex('0A 00 00 06 00 00 00 00 A1 61 64 62 68 69');
const concat = (parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const packetArb = fc
  .record({ seq: fc.integer({ min: 0, max: 255 }), data: fc.uint8Array({ maxLength: 700 }) })
  .map(({ seq, data }) => encodePacket({ op: 3, group: 1, id: 1, seq, body: { off: data.length, data } }));

describe('BLE framing (smp.md §7)', () => {
  it('cuts a packet into writes of at most MTU − 3 bytes', () => {
    const pkt = encodePacket({ op: 2, group: 1, id: 1, seq: 0, body: { data: new Uint8Array(100) } });
    const writes = bleFraming({ maxWrite: 20 }).encode(pkt);
    expect(writes.every((w) => w.length <= 20)).toBe(true);
    expect(concat(writes)).toEqual(pkt);
    expect(writes.length).toBe(Math.ceil(pkt.length / 20));
  });

  it('reassembles notifications by the header length, carrying bytes over to the next packet', () => {
    const a = encodePacket({ op: 3, group: 0, id: 0, seq: 1, body: { r: 'first' } });
    const b = encodePacket({ op: 3, group: 0, id: 0, seq: 2, body: { r: 'second' } });
    const both = concat([a, b]);
    const d = bleFraming().createDecoder();
    expect(d.push(both.subarray(0, 5), 0).packets).toEqual([]);
    expect(d.push(both.subarray(5, a.length + 3), 0).packets).toEqual([a]);
    expect(d.push(both.subarray(a.length + 3), 0).packets).toEqual([b]);
  });

  it('drops a partial packet that times out, then decodes the next one', () => {
    const d = bleFraming({ partialTimeoutMs: 1000 }).createDecoder();
    d.push(ECHO_REQ.subarray(0, 10), 0);
    const out = d.push(ECHO_REQ, 1500);
    expect(out.dropped).toEqual([{ reason: 'timeout', bytes: 10 }]);
    expect(out.packets).toEqual([ECHO_REQ]);
  });

  it('reassembles any sequence of packets whatever the notification boundaries', () => {
    fc.assert(
      fc.property(fc.array(packetArb, { maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1 }), (packets, cuts) => {
        const stream = concat(packets);
        const d = bleFraming().createDecoder();
        const got: Uint8Array[] = [];
        for (let at = 0, i = 0; at < stream.length; i++) {
          const n = cuts[i % cuts.length] as number;
          got.push(...d.push(stream.subarray(at, at + n), 0).packets);
          at += n;
        }
        expect(got).toEqual(packets);
      }),
      { numRuns: 200 },
    );
  });
});

describe('HID framing (hid-transport.md)', () => {
  it('frames the worked example: 01 8E, the 14 packet bytes, 48 zero bytes', () => {
    const reports = encodeHidReports(ECHO_REQ);
    expect(reports.map(toHex)).toEqual([toHex(concat([hex('01 8E'), ECHO_REQ, new Uint8Array(48)]))]);
  });

  it('marks only the first report and carries at most 62 payload bytes per report', () => {
    const pkt = encodePacket({ op: 2, group: 1, id: 1, seq: 0, body: { data: new Uint8Array(130) } });
    const reports = encodeHidReports(pkt);
    expect(reports.map((r) => r[1])).toEqual([0x80 | 62, 62, pkt.length - 124]);
    expect(reports.every((r) => r.length === 64 && r[0] === 1)).toBe(true);
    const d = new HidFrameDecoder();
    expect(reports.flatMap((r) => d.push(r, 0).packets)).toEqual([pkt]);
  });

  it('accepts reports without the zero padding', () => {
    const d = new HidFrameDecoder();
    expect(d.push(concat([hex('01 8E'), ECHO_REQ]), 0).packets).toEqual([ECHO_REQ]);
  });

  it('discards a partial packet when a new first report arrives', () => {
    const pkt = encodePacket({ op: 2, group: 1, id: 1, seq: 0, body: { data: new Uint8Array(130) } });
    const d = new HidFrameDecoder();
    d.push(encodeHidReports(pkt)[0] as Uint8Array, 0);
    const out = d.push(encodeHidReports(ECHO_REQ)[0] as Uint8Array, 0);
    expect(out.dropped).toEqual([{ reason: 'incomplete', bytes: 62 }]);
    expect(out.packets).toEqual([ECHO_REQ]);
  });

  it('discards a packet with extra bytes past the header length', () => {
    const out = new HidFrameDecoder().push(concat([hex('01 8F'), ECHO_REQ, hex('00')]), 0);
    expect(out.packets).toEqual([]);
    expect(out.dropped).toEqual([{ reason: 'too-long', bytes: 15 }]);
  });

  it('drops bad reports and stray continuations', () => {
    const d = new HidFrameDecoder();
    expect(d.push(hex('02 8E 00'), 0).dropped).toEqual([{ reason: 'bad-report', bytes: 3 }]);
    expect(d.push(hex('01 80'), 0).dropped).toEqual([{ reason: 'bad-report', bytes: 2 }]);
    expect(d.push(hex('01 05 01 02 03 04 05'), 0).dropped).toEqual([{ reason: 'stray-continuation', bytes: 5 }]);
  });

  it('round-trips random packets', () => {
    fc.assert(
      fc.property(fc.array(packetArb, { maxLength: 6 }), (packets) => {
        const d = framingFor('hid').createDecoder();
        const got = packets.flatMap((p) => framingFor('hid').encode(p)).flatMap((r) => d.push(r, 0).packets);
        expect(got).toEqual(packets);
      }),
      { numRuns: 100 },
    );
  });
});

describe('raw framing (UDP, loopback)', () => {
  it('writes a packet as it is and reads several packets from one datagram', () => {
    const b = encodePacket({ op: 0, group: 0, id: 6, seq: 3 });
    expect(rawFraming().encode(ECHO_REQ)).toEqual([ECHO_REQ]);
    expect(rawFraming().createDecoder().push(concat([ECHO_REQ, b]), 0).packets).toEqual([ECHO_REQ, b]);
  });

  it('drops a truncated datagram', () => {
    const out = rawFraming().createDecoder().push(ECHO_REQ.subarray(0, 12), 0);
    expect(out).toEqual({ packets: [], dropped: [{ reason: 'truncated', bytes: 12 }], console: [] });
  });
});

describe('framingFor', () => {
  it('picks the framing a link names and sizes BLE writes from maxWrite', () => {
    const pkt = encodePacket({ op: 2, group: 1, id: 1, seq: 0, body: { data: new Uint8Array(300) } });
    expect(framingFor('ble', { maxWrite: 244 }).encode(pkt).map((w) => w.length)).toEqual([244, pkt.length - 244]);
    expect(framingFor('serial').encode(ECHO_REQ)[0]?.[0]).toBe(0x06);
    expect(framingFor('hid').encode(ECHO_REQ)[0]?.length).toBe(64);
    expect(framingFor('raw').encode(ECHO_REQ)).toEqual([ECHO_REQ]);
  });
});
