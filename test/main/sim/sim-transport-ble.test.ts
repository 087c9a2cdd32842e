import { describe, expect, it } from 'vitest';
import { MgmtErr } from '../../../main/smp/error-codes';
import { decodePacket, encodePacket } from '../../../main/smp/packet';
import { framingFor } from '../../../main/smp/framing-for';
import { harness } from './harness';

const echo = (seq: number, d: string) => encodePacket({ op: 2, group: 0, id: 0, seq, body: { d } });
const writes = (packet: Uint8Array) => framingFor('ble', { maxWrite: 20 }).encode(packet);

describe('BLE side of the simulator (smp.md §7)', () => {
  it('reassembles a request split over 20-byte writes, as Zephyr with BT reassembly does', () => {
    const h = harness({}, { framing: 'ble', maxWrite: 20 });
    const request = echo(7, 'q'.repeat(100));
    expect(writes(request).length).toBeGreaterThan(5);
    for (const w of writes(request)) h.sendBytes(w);
    expect(h.settle()).toMatchObject({ header: { seq: 7 }, body: { r: 'q'.repeat(100) } });
    expect(h.link.dropped).toEqual([]);
  });

  it('drops a reassembled request larger than buf_size without answering', () => {
    const h = harness({ bufSize: 128 }, { framing: 'ble', maxWrite: 20 });
    const request = echo(1, 'w'.repeat(150));
    for (const w of writes(request)) h.sendBytes(w);
    expect(h.settle()).toBeUndefined();
    expect(h.link.dropped).toEqual([{ reason: 'too-long', bytes: request.length }]);
    expect(h.device.stats.requests).toBe(0);
  });

  it('without reassembly, takes each write as a whole packet: a split request gets ECORRUPT, never its answer', () => {
    const h = harness({}, { framing: 'ble', maxWrite: 20, bleReassembly: false });
    for (const w of writes(echo(3, 'e'.repeat(100)))) h.sendBytes(w);
    h.settle();
    const answers = h.received.packets.map((p) => decodePacket(p)).filter((r) => r.ok);
    expect(answers[0]).toMatchObject({ header: { seq: 3, group: 0, id: 0 }, body: { rc: MgmtErr.ECORRUPT } });
    expect(answers.some((a) => a.ok && 'r' in a.body)).toBe(false);
  });

  it('without reassembly, answers a request that fits one write', () => {
    const h = harness({}, { framing: 'ble', maxWrite: 20, bleReassembly: false });
    const request = echo(4, 'hi');
    expect(request.length).toBeLessThanOrEqual(20);
    h.sendBytes(request);
    expect(h.settle()).toMatchObject({ header: { seq: 4 }, body: { r: 'hi' } });
  });
});
