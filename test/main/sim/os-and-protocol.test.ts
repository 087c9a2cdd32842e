import { describe, expect, it } from 'vitest';
import { encodePacket } from '../../../main/smp/packet';
import { hex, toHex } from '../smp/hex';
import { harness } from './harness';

const ECHO_REQ_LINE = '06 09 41 42 41 4B 41 41 41 47 41 41 41 41 41 4B 46 68 5A 47 4A 6F 61 65 4A 38 0A';
const ECHO_RSP_LINE = toHex(new Uint8Array([0x06, 0x09, ...Buffer.from('ABALAAAGAAAAAKFhcmJoaaUj'), 0x0a]));

describe('simulated device: the spec byte examples', () => {
  it('answers the §6.3 echo request line with the §6.3 response line, byte for byte', () => {
    const h = harness({}, { framing: 'serial' });
    h.sendBytes(hex(ECHO_REQ_LINE));
    h.settle();
    expect(h.wire.map(toHex)).toEqual([ECHO_RSP_LINE]);
  });

  it('answers a legacy (version 0) echo with header byte 03', () => {
    const h = harness();
    h.sendBytes(hex('02 00 00 06 00 00 00 00 A1 61 64 62 68 69'));
    h.settle();
    expect(h.wire.map(toHex)).toEqual(['03 00 00 06 00 00 00 00 A1 61 72 62 68 69']);
  });

  it('answers an unknown command with {"rc": 8} = A1 62 72 63 08', () => {
    const h = harness();
    h.sendBytes(encodePacket({ op: 0, group: 0, id: 1, seq: 7 }));
    h.settle();
    expect(h.wire.map(toHex)).toEqual(['09 00 00 05 00 00 07 01 A1 62 72 63 08']);
  });

  it('answers a read on the write-only reset command with rc 8', () => {
    expect(harness().body({ op: 0, group: 0, id: 5 })).toEqual({ rc: 8 });
  });

  it('answers version ≥ 2 with rc 13 and caps the response version at 1', () => {
    const h = harness();
    h.sendBytes(hex('12 00 00 00 00 00 03 06'));
    h.settle();
    expect(h.wire.map(toHex)).toEqual(['0B 00 00 05 00 00 03 06 A1 62 72 63 0D']);
  });

  it('answers bad CBOR with rc 3 and a packet shorter than its header with rc 9', () => {
    const h = harness();
    expect(h.body({ op: 2, group: 0, id: 0, body: hex('A1 61') })).toEqual({ rc: 3 });
    h.sendBytes(hex('0A 00 00 09 00 00 05 00 A1 61 64 62 68 69'));
    expect(h.settle()?.body).toEqual({ rc: 9 });
  });

  it('a server predating v2 answers version 0 and legacy codes only', () => {
    const h = harness({ legacyOnly: true });
    const r = h.request({ op: 0, group: 3, id: 0, body: { name: 'net/nothing' } });
    expect(r?.header.version).toBe(0);
    expect(r?.body).toEqual({ rc: 5 });
  });
});

describe('simulated device: OS group (smp.md §3.1)', () => {
  it('echoes text and refuses a non-text d with rc 3', () => {
    const h = harness();
    expect(h.body({ op: 2, group: 0, id: 0, body: { d: 'hello' } })).toEqual({ r: 'hello' });
    expect(h.body({ op: 0, group: 0, id: 0, body: { d: 'read too' } })).toEqual({ r: 'read too' });
    expect(h.body({ op: 2, group: 0, id: 0, body: { d: 5 } })).toEqual({ rc: 3 });
  });

  it('reports its buffer size and count', () => {
    expect(harness({ bufSize: 2475, bufCount: 5 }).body({ op: 0, group: 0, id: 6 })).toEqual({ buf_size: 2475, buf_count: 5 });
  });

  it('prints OS info fields in the fixed order whatever the order asked, and refuses unknown letters', () => {
    const h = harness();
    expect(h.body({ op: 0, group: 0, id: 7 })).toEqual({ output: 'Zephyr' });
    expect(h.body({ op: 0, group: 0, id: 7, body: { format: 'is' } })).toEqual({ output: 'Zephyr sf-dev-1/1' });
    expect(h.body({ op: 0, group: 0, id: 7, body: { format: 'x' } })).toEqual({ err: { group: 0, rc: 2 } });
  });

  it('names its bootloader and mode, and answers OS error 3 to an unknown query', () => {
    const h = harness();
    expect(h.body({ op: 0, group: 0, id: 8 })).toEqual({ bootloader: 'MCUboot' });
    expect(h.body({ op: 0, group: 0, id: 8, body: { query: 'mode' } })).toEqual({ mode: 1 });
    expect(h.body({ op: 0, group: 0, id: 8, body: { query: 'colour' } })).toEqual({ err: { group: 0, rc: 3 } });
  });

  it('answers reset before resetting, drops off while rebooting and comes back', () => {
    const h = harness();
    const events: string[] = [];
    h.device.onPower((e) => events.push(`${e}@${h.clock.now()}`));
    h.link.input(encodePacket({ op: 2, group: 0, id: 5, seq: 1 }));
    h.clock.advance(10);
    expect(h.received.packets.length).toBe(1);
    expect(h.device.isUp).toBe(true);
    h.clock.advance(300);
    expect(h.device.isUp).toBe(false);
    h.clock.runUntilIdle();
    expect(h.device.isUp).toBe(true);
    expect(events).toEqual(['down@252', 'up@1052']);
  });

  it('refuses reset with EBUSY when an application hook says so, unless forced', () => {
    const h = harness({ os: { refuseReset: true } });
    expect(h.body({ op: 2, group: 0, id: 5 })).toEqual({ rc: 10 });
    expect(h.device.stats.boots).toBe(0);
    expect(h.body({ op: 2, group: 0, id: 5, body: { force: 1 } })).toEqual({});
    expect(h.device.stats.boots).toBe(1);
  });

  it('keeps at most buf_count requests and answers them strictly in order', () => {
    const h = harness({ bufCount: 2 });
    for (let seq = 0; seq < 4; seq++) h.link.input(encodePacket({ op: 2, group: 0, id: 0, seq, body: { d: `${seq}` } }));
    h.clock.runUntilIdle();
    expect(h.received.packets.map((p) => p[6])).toEqual([0, 1]);
    expect(h.device.stats.noBuffer).toBe(2);
  });

  it('answers ENOMEM when the answer would not fit its buffer', () => {
    expect(harness({ bufSize: 128 }).body({ op: 2, group: 0, id: 0, body: { d: 'x'.repeat(140) } })).toEqual({ rc: 2 });
  });
});
