import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc16Xmodem } from '../../../main/smp/crc16';
import { encodePacket } from '../../../main/smp/packet';
import { encodeSerialFrame, SerialFrameDecoder } from '../../../main/smp/serial-framing';
import { hex, toHex } from './hex';

const ascii = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const concat = (parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const line = (marker: string, text: string) => concat([hex(marker), ascii(text), Uint8Array.of(0x0a)]);

const ECHO_REQ = hex('0A 00 00 06 00 00 00 00 A1 61 64 62 68 69');
const ECHO_REQ_LINE = '06 09 41 42 41 4B 41 41 41 47 41 41 41 41 41 4B 46 68 5A 47 4A 6F 61 65 4A 38 0A';
const ECHO_RSP = hex('0B 00 00 06 00 00 00 00 A1 61 72 62 68 69');
const LONG_REQ = encodePacket({ op: 2, group: 0, id: 0, seq: 1, body: { d: 'a'.repeat(150) } });
const LONG_LINE1 = 'AKUKAACbAAABAKFhZHiWYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh';
const LONG_LINE2 = 'YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh8Bo=';

describe('CRC-16/XMODEM (smp.md §6.1)', () => {
  it('gives the check value 0x31C3 for "123456789"', () => {
    expect(crc16Xmodem(ascii('123456789'))).toBe(0x31c3);
  });
  it('gives the CRCs of the §6.3 packets', () => {
    expect(crc16Xmodem(ECHO_REQ)).toBe(0xe27c);
    expect(crc16Xmodem(ECHO_RSP)).toBe(0xa523);
    expect(crc16Xmodem(LONG_REQ)).toBe(0xf01a);
  });
});

describe('serial frame encoding (smp.md §6.1, §6.3)', () => {
  it('frames the echo "hi" request as the 27-byte line of the worked example', () => {
    const lines = encodeSerialFrame(ECHO_REQ);
    expect(lines.map(toHex)).toEqual([ECHO_REQ_LINE]);
  });

  it('frames the echo response as 06 09 ABALAAAGAAAAAKFhcmJoaaUj 0A', () => {
    expect(encodeSerialFrame(ECHO_RSP)).toEqual([line('06 09', 'ABALAAAGAAAAAKFhcmJoaaUj')]);
  });

  it('cuts the 150 × "a" echo into a 127-byte line and a 103-byte continuation', () => {
    expect(toHex(LONG_REQ.subarray(0, 8))).toBe('0A 00 00 9B 00 00 01 00');
    const lines = encodeSerialFrame(LONG_REQ);
    expect(lines).toEqual([line('06 09', LONG_LINE1), line('04 14', LONG_LINE2)]);
    expect(lines.map((l) => l.length)).toEqual([127, 103]);
  });

  it('never writes a line longer than 127 bytes', () => {
    for (const size of [1, 50, 89, 90, 500, 2000]) {
      const pkt = encodePacket({ op: 2, group: 1, id: 1, seq: 0, body: { data: new Uint8Array(size) } });
      for (const l of encodeSerialFrame(pkt)) expect(l.length).toBeLessThanOrEqual(127);
    }
  });
});

describe('serial frame decoding (smp.md §6.2)', () => {
  it('decodes the worked example back to the packet byte for byte', () => {
    const out = new SerialFrameDecoder().push(hex(ECHO_REQ_LINE), 0);
    expect(out).toEqual({ packets: [ECHO_REQ], dropped: [], console: [] });
  });

  it('decodes the two-line example fed one byte at a time, with CR LF line ends', () => {
    const d = new SerialFrameDecoder();
    const stream = concat([line('06 09', LONG_LINE1 + '\r'), line('04 14', LONG_LINE2 + '\r')]);
    const packets = [...stream].flatMap((b) => d.push(Uint8Array.of(b), 0).packets);
    expect(packets).toEqual([LONG_REQ]);
  });

  it('passes console lines aside and still decodes the frame that follows', () => {
    const out = new SerialFrameDecoder().push(concat([ascii('uart:~$ hello\r\n'), hex(ECHO_REQ_LINE)]), 0);
    expect(out.console).toEqual(['uart:~$ hello']);
    expect(out.packets).toEqual([ECHO_REQ]);
  });

  it('recovers a frame that follows noise on the same line', () => {
    const out = new SerialFrameDecoder().push(concat([ascii('\x00\xffboot'), hex(ECHO_REQ_LINE)]), 0);
    expect(out.packets).toEqual([ECHO_REQ]);
  });

  it('drops a frame with a bad CRC and reports its bytes', () => {
    const bad = encodeSerialFrame(ECHO_REQ)[0] as Uint8Array;
    // Last base64 char carries the CRC's low bits: change it for another valid character.
    bad[bad.length - 2] = bad[bad.length - 2] === 0x41 ? 0x42 : 0x41;
    const out = new SerialFrameDecoder().push(concat([bad, hex(ECHO_REQ_LINE)]), 0);
    expect(out.dropped).toEqual([{ reason: 'bad-crc', bytes: 27 }]);
    expect(out.packets).toEqual([ECHO_REQ]);
  });

  it('drops bad base64 and waits for the next start marker', () => {
    const out = new SerialFrameDecoder().push(concat([line('06 09', LONG_LINE1), line('04 14', 'YW*h'), line('04 14', LONG_LINE2), hex(ECHO_REQ_LINE)]), 0);
    expect(out.dropped.map((d) => d.reason)).toEqual(['bad-base64', 'stray-continuation']);
    expect(out.dropped[0]?.bytes).toBe(127 + 7);
    expect(out.packets).toEqual([ECHO_REQ]);
  });

  it('drops a stray continuation line', () => {
    const out = new SerialFrameDecoder().push(line('04 14', LONG_LINE2), 0);
    expect(out).toEqual({ packets: [], dropped: [{ reason: 'stray-continuation', bytes: 103 }], console: [] });
  });

  it('drops a partial packet when a new one starts', () => {
    const out = new SerialFrameDecoder().push(concat([line('06 09', LONG_LINE1), hex(ECHO_REQ_LINE)]), 0);
    expect(out.dropped).toEqual([{ reason: 'incomplete', bytes: 127 }]);
    expect(out.packets).toEqual([ECHO_REQ]);
  });

  it('expires a partial packet after the timeout, from the time passed in', () => {
    const d = new SerialFrameDecoder({ partialTimeoutMs: 2000 });
    expect(d.push(line('06 09', LONG_LINE1), 1000).dropped).toEqual([]);
    expect(d.push(new Uint8Array(0), 3000).dropped).toEqual([]);
    expect(d.push(new Uint8Array(0), 3001).dropped).toEqual([{ reason: 'timeout', bytes: 127 }]);
    expect(d.push(line('04 14', LONG_LINE2), 3002).dropped).toEqual([{ reason: 'stray-continuation', bytes: 103 }]);
  });

  it('completes a packet whose continuation comes within the timeout', () => {
    const d = new SerialFrameDecoder({ partialTimeoutMs: 2000 });
    d.push(line('06 09', LONG_LINE1), 1000);
    expect(d.push(line('04 14', LONG_LINE2), 3000).packets).toEqual([LONG_REQ]);
  });

  it('drops over-long lines, then decodes the next frame', () => {
    const d = new SerialFrameDecoder({ maxLine: 200 });
    const out = d.push(concat([line('06 09', 'QUFB'.repeat(100)), hex(ECHO_REQ_LINE)]), 0);
    expect(out.dropped).toEqual([{ reason: 'line-too-long', bytes: 403 }]);
    expect(out.packets).toEqual([ECHO_REQ]);
  });

  it('accepts lines longer than 127 bytes from devices with larger limits', () => {
    const text = Buffer.from(concat([Uint8Array.of(0, LONG_REQ.length + 2), LONG_REQ, Uint8Array.of(0xf0, 0x1a)])).toString('base64');
    expect(new SerialFrameDecoder().push(line('06 09', text), 0).packets).toEqual([LONG_REQ]);
  });

  it('drops a frame holding more bytes than its total', () => {
    const raw = concat([Uint8Array.of(0, 16), ECHO_REQ, Uint8Array.of(0xe2, 0x7c, 0, 0, 0)]);
    const out = new SerialFrameDecoder().push(line('06 09', Buffer.from(raw).toString('base64')), 0);
    expect(out.dropped.map((d) => d.reason)).toEqual(['too-long']);
  });

  it('drops a frame whose SMP header length disagrees with the frame', () => {
    const pkt = hex('0A 00 00 07 00 00 00 00 A1 61 64 62 68 69');
    const crc = crc16Xmodem(pkt);
    const raw = concat([Uint8Array.of(0, 16), pkt, Uint8Array.of(crc >> 8, crc & 0xff)]);
    const out = new SerialFrameDecoder().push(line('06 09', Buffer.from(raw).toString('base64')), 0);
    expect(out.dropped.map((d) => d.reason)).toEqual(['bad-length']);
  });
});

/** Re-frames the same packet with one bit of its CRC flipped (lines cut as the encoder cuts them). */
function withCrcFlipped(lines: Uint8Array[]): Uint8Array[] {
  const text = lines.map((l) => Buffer.from(l.subarray(2, l.length - 1)).toString('latin1')).join('');
  const raw = Buffer.from(text, 'base64');
  raw[raw.length - 1] = (raw[raw.length - 1] as number) ^ 0x01;
  const flipped = raw.toString('base64');
  const out: Uint8Array[] = [];
  for (let at = 0; at < flipped.length; at += 124) out.push(line(at === 0 ? '06 09' : '04 14', flipped.slice(at, at + 124)));
  return out;
}

/** Property tests: random packets, random splits, interleaved noise, corrupted CRCs. */
describe('serial decoder under random streams', () => {
  const packetArb = fc.record({
    seq: fc.integer({ min: 0, max: 255 }),
    text: fc.string({ maxLength: 400 }),
  }).map(({ seq, text }) => encodePacket({ op: 2, group: 0, id: 0, seq, body: { d: text } }));

  // Console text holds neither a newline nor a start marker byte, as real log output does not.
  const consoleArb = fc.string({ minLength: 1, maxLength: 60 }).map((s) => s.replaceAll('\n', '.').replaceAll(String.fromCharCode(6), '.'));

  type Piece = { kind: 'frame'; packet: Uint8Array; corrupt: boolean } | { kind: 'console'; text: string };
  const pieceArb: fc.Arbitrary<Piece> = fc.oneof(
    fc.record({ kind: fc.constant('frame' as const), packet: packetArb, corrupt: fc.boolean() }),
    fc.record({ kind: fc.constant('console' as const), text: consoleArb }),
  );

  it('delivers every intact packet exactly once and never a corrupted one, whatever the split', () => {
    fc.assert(
      fc.property(fc.array(pieceArb, { maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 50 }), (pieces, cuts) => {
        const expected: Uint8Array[] = [];
        const parts: Uint8Array[] = [];
        for (const p of pieces) {
          if (p.kind === 'console') {
            parts.push(ascii(p.text + '\n'));
            continue;
          }
          const lines = encodeSerialFrame(p.packet);
          if (p.corrupt) {
            lines.splice(0, lines.length, ...withCrcFlipped(lines));
          } else expected.push(p.packet);
          parts.push(...lines);
        }
        const stream = concat(parts);
        const d = new SerialFrameDecoder();
        const got: Uint8Array[] = [];
        let at = 0;
        for (let i = 0; at < stream.length; i++) {
          const n = cuts[i % cuts.length] as number;
          got.push(...d.push(stream.subarray(at, at + n), 0).packets);
          at += n;
        }
        expect(got).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('after arbitrary garbage, resynchronises at the next start marker', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), packetArb, (garbage, packet) => {
        const d = new SerialFrameDecoder();
        const got = [...d.push(garbage, 0).packets, ...d.push(Uint8Array.of(0x0a), 0).packets, ...encodeSerialFrame(packet).flatMap((l) => d.push(l, 0).packets)];
        // Garbage may by chance hold a valid frame; what matters is that the real one arrives and comes last.
        expect(got[got.length - 1]).toEqual(packet);
      }),
      { numRuns: 300 },
    );
  });
});
