import { describe, expect, it } from 'vitest';
import { maxChunkData, packetLimit, requestOverhead, type ChunkBudgetOptions } from '../../../main/smp/chunk-budget';
import { encodePacket } from '../../../main/smp/packet';
import { encodeSerialFrame } from '../../../main/smp/serial-framing';

const SHA = new Uint8Array(32).fill(0xab);

/** Encodes the upload request the way a client does, for a chunk of `n` data bytes. */
function request(o: ChunkBudgetOptions, n: number): Uint8Array {
  const data = new Uint8Array(n).fill(0x5a);
  const f = o.firstChunk ?? {};
  const body = o.offset === 0
    ? { image: f.image, len: o.imageLength, off: 0, sha: SHA.subarray(0, f.shaLength ?? 32), data, upgrade: f.upgrade }
    : { off: o.offset, data };
  return encodePacket({ op: 2, group: 1, id: 1, seq: 0, body });
}

describe('upload chunk budget (smp.md §5.4, §5.5)', () => {
  it('matches the spec overheads: 26 (later chunk), 76 (first chunk), 85 (with upgrade)', () => {
    const later = { imageLength: 200_000, offset: 70_000 };
    expect(requestOverhead(later) + 3).toBe(26);
    expect(requestOverhead({ imageLength: 200_000, offset: 0, firstChunk: { image: 0 } }) + 3).toBe(76);
    expect(requestOverhead({ imageLength: 200_000, offset: 0, firstChunk: { image: 0, upgrade: true } }) + 3).toBe(85);
  });

  it('takes B − 4 for serial, MTU − 3 for BLE without reassembly, whole writes up to B with it', () => {
    expect(packetLimit({ bufSize: 384, transport: 'serial' })).toBe(380);
    expect(packetLimit({ bufSize: 2475, transport: 'ble', maxWrite: 244 })).toBe(244);
    // With reassembly a packet spans whole writes only: 10 × 244, not 2475 with a part-filled 11th write.
    expect(packetLimit({ bufSize: 2475, transport: 'ble', maxWrite: 244, bleReassembly: true })).toBe(2440);
    expect(packetLimit({ bufSize: 384, transport: 'ble', maxWrite: 20, bleReassembly: true })).toBe(380);
    expect(packetLimit({ bufSize: 128, transport: 'ble', maxWrite: 244, bleReassembly: true })).toBe(128);
    expect(packetLimit({ bufSize: 4096, transport: 'raw' })).toBe(1472);
    expect(packetLimit({ bufSize: 512, transport: 'hid' })).toBe(512);
  });

  const cases: ChunkBudgetOptions[] = [];
  for (const bufSize of [128, 256, 384, 512, 1024, 2475, 4096])
    for (const transport of ['serial', 'ble', 'hid', 'raw'] as const)
      for (const offset of [0, 20, 255, 256, 65_535, 65_536, 1_000_000])
        for (const alignment of [1, 4, 16])
          cases.push({ bufSize, transport, maxWrite: transport === 'ble' ? 495 : undefined, imageLength: 5_000_000, offset, alignment, firstChunk: offset === 0 ? { image: 0, upgrade: bufSize > 300 } : undefined });

  it('never lets an encoded request exceed the packet limit, and is tight before alignment', () => {
    for (const o of cases) {
      const n = maxChunkData(o);
      const limit = packetLimit(o);
      expect(request(o, n).length).toBeLessThanOrEqual(limit);
      expect(n % (o.alignment ?? 4)).toBe(0);
      const unaligned = maxChunkData({ ...o, alignment: 1 });
      expect(request(o, unaligned + 1).length).toBeGreaterThan(limit);
    }
  });

  it('keeps the serial frame within the device buffer (total field + packet + CRC ≤ B)', () => {
    for (const o of cases.filter((c) => c.transport === 'serial')) {
      const pkt = request(o, maxChunkData(o));
      const text = encodeSerialFrame(pkt).map((l) => Buffer.from(l.subarray(2, l.length - 1)).toString()).join('');
      expect(Buffer.from(text, 'base64').length).toBeLessThanOrEqual(o.bufSize);
    }
  });

  it('sends the rest of the image unaligned when it fits in the last chunk', () => {
    expect(maxChunkData({ bufSize: 384, transport: 'serial', imageLength: 1003, offset: 1000 })).toBe(3);
    expect(maxChunkData({ bufSize: 384, transport: 'serial', imageLength: 1000, offset: 1000 })).toBe(0);
  });

  it('answers 0 when not one aligned unit fits', () => {
    expect(maxChunkData({ bufSize: 64, transport: 'serial', imageLength: 5000, offset: 0, firstChunk: { upgrade: true } })).toBe(0);
  });
});
