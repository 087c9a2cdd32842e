import { describe, expect, it } from 'vitest';
import { decodeCbor, encodeCbor } from '../../../main/smp/cbor';
import { OsCmd, SmpGroup, SmpOp } from '../../../main/smp/constants';
import { decodeHeader, decodePacket, encodePacket, splitPackets } from '../../../main/smp/packet';
import { hex, toHex } from './hex';

describe('CBOR bodies (smp.md §2)', () => {
  it.each([
    [{}, 'A0'],
    [{ rc: 8 }, 'A1 62 72 63 08'],
    [{ err: { group: 1, rc: 28 } }, 'A1 63 65 72 72 A2 65 67 72 6F 75 70 01 62 72 63 18 1C'],
    [{ d: 'hi' }, 'A1 61 64 62 68 69'],
    [{ r: 'hi' }, 'A1 61 72 62 68 69'],
  ])('encodes %j as the spec bytes', (value, bytes) => {
    expect(toHex(encodeCbor(value))).toBe(bytes);
  });

  it('encodes a 150-character text with the two-byte head of the spec example', () => {
    expect(toHex(encodeCbor({ d: 'a'.repeat(150) }).subarray(0, 5))).toBe('A1 61 64 78 96');
  });

  it('uses the shortest integer encodings and plain byte strings', () => {
    expect(toHex(encodeCbor({ off: 23 }))).toBe('A1 63 6F 66 66 17');
    expect(toHex(encodeCbor({ off: 24 }))).toBe('A1 63 6F 66 66 18 18');
    expect(toHex(encodeCbor({ off: 65536 }))).toBe('A1 63 6F 66 66 1A 00 01 00 00');
    expect(toHex(encodeCbor({ off: 2 ** 32 }))).toBe('A1 63 6F 66 66 1B 00 00 00 01 00 00 00 00');
    expect(toHex(encodeCbor({ data: Uint8Array.of(1, 2) }))).toBe('A1 64 64 61 74 61 42 01 02');
  });

  it('leaves out keys whose value is undefined', () => {
    expect(toHex(encodeCbor({ a: 1, b: undefined }))).toBe('A1 61 61 01');
  });

  it('decodes integers of any width, indefinite maps and byte strings as plain Uint8Array', () => {
    const r = decodeCbor(hex('BF 62 72 63 1B 00 00 00 00 00 00 00 00 63 6F 66 66 1A 00 01 00 00 64 64 61 74 61 42 01 02 FF'));
    expect(r).toEqual({ ok: true, value: { rc: 0, off: 65536, data: Uint8Array.of(1, 2) } });
    if (r.ok) expect(Object.getPrototypeOf((r.value as { data: Uint8Array }).data)).toBe(Uint8Array.prototype);
  });
});

describe('packets (smp.md §1)', () => {
  it('encodes the echo request of §6.3 byte for byte', () => {
    const pkt = encodePacket({ op: SmpOp.write, group: SmpGroup.os, id: OsCmd.echo, seq: 0, body: { d: 'hi' } });
    expect(toHex(pkt)).toBe('0A 00 00 06 00 00 00 00 A1 61 64 62 68 69');
  });

  it('puts 02 in the first byte of a legacy (version 0) write', () => {
    const pkt = encodePacket({ op: SmpOp.write, group: 0, id: 0, seq: 0, version: 0, body: { d: 'hi' } });
    expect(pkt[0]).toBe(0x02);
  });

  it('writes length and group big-endian', () => {
    const pkt = encodePacket({ op: SmpOp.read, group: 0x0140, id: 7, seq: 255, body: hex('A1 61 64 78 96' + '61'.repeat(150)) });
    expect(toHex(pkt.subarray(0, 8))).toBe('08 00 00 9B 01 40 FF 07');
  });

  it('decodes the echo response of §6.3', () => {
    const r = decodePacket(hex('0B 00 00 06 00 00 00 00 A1 61 72 62 68 69'));
    expect(r).toEqual({
      ok: true,
      header: { op: 3, version: 1, flags: 0, length: 6, group: 0, seq: 0, id: 0 },
      body: { r: 'hi' },
    });
  });

  it('decodes an empty body as an empty map', () => {
    const r = decodePacket(hex('03 00 00 00 00 00 05 05'));
    expect(r.ok && r.body).toEqual({});
  });

  it('ignores the reserved bits 7..5 of byte 0 and any flags', () => {
    expect(decodeHeader(hex('EB 7F 00 00 00 01 02 03'))).toEqual({ op: 3, version: 1, flags: 0x7f, length: 0, group: 1, seq: 2, id: 3 });
  });

  it.each([
    ['too-short', '0B 00 00'],
    ['length-mismatch', '0B 00 00 06 00 00 00 00 A1 61 72 62 68'],
    ['length-mismatch', '0B 00 00 06 00 00 00 00 A1 61 72 62 68 69 00'],
    ['bad-cbor', '0B 00 00 02 00 00 00 00 A1 61'],
    ['bad-cbor', '0B 00 00 01 00 00 00 00 FF'],
    ['body-not-map', '0B 00 00 01 00 00 00 00 80'],
    ['body-not-map', '0B 00 00 01 00 00 00 00 01'],
  ])('reports %s for %s', (reason, bytes) => {
    const r = decodePacket(hex(bytes));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.reason).toBe(reason);
      expect(r.error.kind).toBe('smp-decode');
    }
  });

  it('splits packets sent back to back and counts the leftover', () => {
    const a = encodePacket({ op: 0, group: 0, id: 6, seq: 1 });
    const b = encodePacket({ op: 2, group: 0, id: 0, seq: 2, body: { d: 'x' } });
    const joined = new Uint8Array([...a, ...b, 0x0a, 0x00]);
    const { packets, leftover } = splitPackets(joined);
    expect(packets).toEqual([a, b]);
    expect(leftover).toBe(2);
  });

  it('round-trips random bodies', () => {
    const body = { s: 'tést', n: -5, big: 4_000_000_000, arr: [1, 'a', true], m: { x: new Uint8Array(300).fill(7) } };
    const r = decodePacket(encodePacket({ op: 2, group: 64, id: 1, seq: 9, body }));
    expect(r.ok && r.body).toEqual(body);
  });
});
