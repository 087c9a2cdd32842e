import { describe, expect, it } from 'vitest';
import { buildSimImage } from '../../../main/sim/image-builder';
import { encodePacket } from '../../../main/smp/packet';
import { toHex } from '../smp/hex';
import { harness } from './harness';

const NEW = buildSimImage({ version: '3.0.0+0', board: 'sf-dev-1', bodySize: 3000 });

describe('MCUboot serial recovery personality (smp.md §11)', () => {
  it('answers in an indefinite-length map and echoes the version bits', () => {
    const h = harness({ personality: 'recovery' });
    h.sendBytes(encodePacket({ op: 2, group: 0, id: 0, seq: 1, version: 1, body: { d: 'hi' } }));
    h.sendBytes(encodePacket({ op: 2, group: 0, id: 0, seq: 2, version: 0, body: { d: 'hi' } }));
    h.settle();
    expect(h.wire.map(toHex)).toEqual(['0B 00 00 07 00 00 01 00 BF 61 72 62 68 69 FF']);
    h.sendBytes(encodePacket({ op: 2, group: 0, id: 0, seq: 2, version: 0, body: { d: 'hi' } }));
    h.settle();
    expect(toHex(h.wire[1] as Uint8Array).slice(0, 2)).toBe('03');
  });

  it('handles one request at a time; only the full build reports its 1024-byte buffer', () => {
    expect(harness({ personality: 'recovery' }).body({ op: 0, group: 0, id: 6 })).toEqual({ rc: 8 });
    const h = harness({ personality: 'mcuboot-recovery', recoveryBuild: 'full' });
    expect(h.body({ op: 0, group: 0, id: 6 })).toEqual({ buf_size: 1024, buf_count: 1 });
    for (let seq = 0; seq < 3; seq++) h.link.input(encodePacket({ op: 2, group: 0, id: 0, seq, body: { d: 'x' } }));
    h.clock.runUntilIdle();
    expect(h.device.stats.noBuffer).toBe(2);
  });

  it('answers everything outside its few commands with rc 8', () => {
    const h = harness({ personality: 'recovery' });
    expect(h.body({ op: 0, group: 64, id: 0 })).toEqual({ rc: 8 });
    expect(h.body({ op: 0, group: 0, id: 7 })).toEqual({ rc: 8 });
  });

  it('writes whole flash units into slot 0, answers wrong offsets with the expected one, and boots the new image after reset', () => {
    const h = harness({ personality: 'recovery', recoveryWriteAlign: 8 });
    expect(h.body({ op: 2, group: 1, id: 1, body: { image: 1, len: NEW.length, off: 0, data: NEW.subarray(0, 64) } })).toEqual({ rc: 3 });
    expect(h.body({ op: 2, group: 1, id: 1, body: { len: NEW.length, off: 0, data: NEW.subarray(0, 301) } })).toEqual({ rc: 0, off: 296 });
    expect(h.body({ op: 2, group: 1, id: 1, body: { off: 300, data: NEW.subarray(300, 400) } })).toEqual({ rc: 0, off: 296 });
    let off = 296;
    while (off < NEW.length) off = h.body({ op: 2, group: 1, id: 1, body: { off, data: NEW.subarray(off, off + 250) } }).off as number;
    expect(off).toBe(NEW.length);
    expect(h.body({ op: 2, group: 1, id: 1, body: { off, data: new Uint8Array(8) } })).toEqual({ rc: 3 });
    const images = h.body({ op: 0, group: 1, id: 0 }).images as Record<string, unknown>[];
    // The default build lists no flags at all (smp.md §11.1): a missing flag is unknown.
    expect(images).toEqual([{ slot: 0, hash: expect.any(Uint8Array), version: '3.0.0' }]);
    h.body({ op: 2, group: 0, id: 5 });
    h.clock.runUntilIdle();
    expect(h.device.personality).toBe('application');
    expect(h.body({ op: 0, group: 64, id: 0 }).version).toBe('3.0.0+0');
  });

  it('refuses data beyond len and a len larger than the slot with rc 3', () => {
    const h = harness({ personality: 'recovery' });
    expect(h.body({ op: 2, group: 1, id: 1, body: { len: 0x40001, off: 0, data: NEW.subarray(0, 64) } })).toEqual({ rc: 3 });
    h.body({ op: 2, group: 1, id: 1, body: { len: 100, off: 0, data: NEW.subarray(0, 64) } });
    expect(h.body({ op: 2, group: 1, id: 1, body: { off: 64, data: NEW.subarray(64, 128) } })).toEqual({ rc: 3 });
  });
});
