import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildSimImage } from '../../../main/sim/image-builder';
import { harness } from './harness';
import { sha256, upload } from './upload';

const NEW = buildSimImage({ version: '1.1.0+0', board: 'sf-dev-1', bodySize: 20_000 });
const S05 = new Uint8Array(readFileSync('/work/shared/vectors/images/s05_ed25519_custom_tlvs_200k.bin'));
const S05_HASH = Buffer.from('50727374512a10f90323fe63d07988f92889a9738c2ea7cc6aad8fb6f5a24620', 'hex');

type Entry = Record<string, unknown>;
const state = (h: ReturnType<typeof harness>) => h.body({ op: 0, group: 1, id: 0 }).images as Entry[];
const flags = (e: Entry | undefined) => e && ['pending', 'confirmed', 'active', 'permanent'].filter((k) => e[k] === true).join(' ');
const view = (h: ReturnType<typeof harness>) => state(h).map((e) => `${e.slot}:${e.version}:${flags(e)}`);

describe('image upload (smp.md §5.2)', () => {
  it('takes a whole image in chunks, answers match: true at the end and lists it in slot 1', () => {
    const h = harness();
    const answers = upload(h, NEW);
    expect(answers.at(-1)).toEqual({ off: NEW.length, match: true });
    const entries = state(h);
    expect(entries[1]).toMatchObject({ slot: 1, version: '1.1.0', bootable: true, pending: false, confirmed: false, active: false, permanent: false });
    expect(Buffer.from(entries[1]?.hash as Uint8Array)).toEqual(Buffer.from(NEW.subarray(NEW.length - 32)));
  });

  it('resumes by sha: the first-chunk form again answers the offset reached, nothing rewritten', () => {
    const h = harness();
    upload(h, NEW, { stopAt: 5000 });
    const first = { image: 0, len: NEW.length, off: 0, sha: sha256(NEW), data: NEW.subarray(0, 300) };
    const reached = h.body({ op: 2, group: 1, id: 1, body: first }).off as number;
    expect(reached).toBeGreaterThanOrEqual(5000);
    expect(upload(h, NEW).at(-1)).toEqual({ off: NEW.length, match: true });
  });

  it('answers a chunk at the wrong offset with success carrying the expected offset', () => {
    const h = harness();
    const off = upload(h, NEW, { stopAt: 1 }).at(-1)?.off as number;
    expect(h.body({ op: 2, group: 1, id: 1, body: { off: off + 100, data: NEW.subarray(off + 100, off + 200) } })).toEqual({ off });
  });

  it('answers off: 0 to a later chunk after a reset lost the session', () => {
    const h = harness();
    const off = upload(h, NEW, { stopAt: 1 }).at(-1)?.off as number;
    h.body({ op: 2, group: 0, id: 5 });
    h.clock.runUntilIdle();
    expect(h.body({ op: 2, group: 1, id: 1, body: { off, data: NEW.subarray(off, off + 100) } })).toEqual({ off: 0 });
  });

  it('answers a finished image sent again with off = len and match without writing', () => {
    const h = harness();
    upload(h, NEW);
    expect(h.body({ op: 2, group: 1, id: 1, body: { len: NEW.length, off: 0, sha: sha256(NEW), data: NEW.subarray(0, 100) } })).toEqual({ off: NEW.length, match: true });
  });

  it('reports match: false when the bytes do not hash to sha', () => {
    const h = harness();
    const bad = NEW.slice();
    const sha = sha256(NEW);
    bad[5000] = (bad[5000] as number) ^ 1;
    h.body({ op: 2, group: 1, id: 1, body: { len: bad.length, off: 0, sha, data: bad.subarray(0, 10_000) } });
    expect(h.body({ op: 2, group: 1, id: 1, body: { off: 10_000, data: bad.subarray(10_000) } })).toEqual({ off: bad.length, match: false });
  });

  it.each([
    ['off missing', { data: NEW.subarray(0, 64) }, 20, 3],
    ['first chunk under 32 bytes', { off: 0, len: 100, data: NEW.subarray(0, 31) }, 22, 3],
    ['len missing', { off: 0, data: NEW.subarray(0, 64) }, 21, 3],
    ['wrong magic', { off: 0, len: 100, data: new Uint8Array(64) }, 23, 3],
    ['sha longer than 32', { off: 0, len: 100, sha: new Uint8Array(33), data: NEW.subarray(0, 64) }, 24, 3],
    ['len beyond the slot', { off: 0, len: 0x40000, data: NEW.subarray(0, 64) }, 30, 1],
    ['upgrade to an older version', { off: 0, len: 100, upgrade: true, data: buildSimImage({ version: '0.9.0+0' }).subarray(0, 64) }, 27, 6],
  ])('refuses %s (v2 image %d, legacy %d)', (_name, body, v2, legacy) => {
    expect(harness().body({ op: 2, group: 1, id: 1, body })).toEqual({ err: { group: 1, rc: v2 } });
    expect(harness().body({ op: 2, group: 1, id: 1, body, version: 0 })).toEqual({ rc: legacy });
  });

  it('refuses data beyond len with image error 31', () => {
    const h = harness();
    h.body({ op: 2, group: 1, id: 1, body: { off: 0, len: 100, data: NEW.subarray(0, 64) } });
    expect(h.body({ op: 2, group: 1, id: 1, body: { off: 64, data: NEW.subarray(64, 128) } })).toEqual({ err: { group: 1, rc: 31 } });
  });

  it('refuses an image built for another board when its last byte lands (board TLV 0x01a5)', () => {
    const h = harness({ slotSize: 0x40000 });
    const answers = upload(h, S05);
    expect(answers.at(-1)).toMatchObject({ err: { group: 1, rc: 5 }, rsn: 'image is for board sf-gw-2, this device is sf-dev-1' });
    expect(state(h).length).toBe(1);
  });

  it('accepts the same vector image on a device of its board and reports its hash TLV', () => {
    const h = harness({ board: 'sf-gw-2' });
    expect(upload(h, S05).at(-1)).toEqual({ off: S05.length, match: true });
    expect(Buffer.from(state(h)[1]?.hash as Uint8Array)).toEqual(S05_HASH);
    expect(state(h)[1]?.version).toBe('1.0.0.1');
  });

  it('erases slot 1, and refuses to erase a pending slot', () => {
    const h = harness();
    upload(h, NEW);
    expect(h.body({ op: 2, group: 1, id: 5 })).toEqual({});
    expect(state(h).length).toBe(1);
    upload(h, NEW);
    h.body({ op: 2, group: 1, id: 0, body: { hash: NEW.subarray(NEW.length - 32), confirm: false } });
    expect(h.body({ op: 2, group: 1, id: 5, body: { slot: 1 } })).toEqual({ err: { group: 1, rc: 28 } });
    expect(h.body({ op: 2, group: 1, id: 5, body: { slot: 1 }, version: 0 })).toEqual({ rc: 6 });
  });

  it('describes its slots', () => {
    expect(harness().body({ op: 0, group: 1, id: 6 })).toEqual({
      images: [{ image: 0, slots: [{ slot: 0, size: 0x40000 }, { slot: 1, size: 0x40000, upload_image_id: 0 }], max_image_size: 0x40000 - 4096 }],
    });
  });
});

describe('test, confirm and revert (smp.md §3.2 table, mcuboot-image.md §5.1)', () => {
  const HASH = NEW.subarray(NEW.length - 32);
  const reset = (h: ReturnType<typeof harness>) => {
    h.body({ op: 2, group: 0, id: 5 });
    h.clock.runUntilIdle();
  };

  it('walks through every row of the state table', () => {
    const h = harness();
    expect(view(h)).toEqual(['0:1.0.0:confirmed active']);
    upload(h, NEW);
    expect(view(h)).toEqual(['0:1.0.0:confirmed active', '1:1.1.0:']);
    h.body({ op: 2, group: 1, id: 0, body: { hash: HASH, confirm: false } });
    expect(view(h)).toEqual(['0:1.0.0:confirmed active', '1:1.1.0:pending']);
    reset(h);
    expect(view(h)).toEqual(['0:1.1.0:active', '1:1.0.0:confirmed']);
    expect(h.body({ op: 2, group: 1, id: 0, body: { confirm: true } }).images).toBeDefined();
    expect(view(h)).toEqual(['0:1.1.0:confirmed active', '1:1.0.0:']);
    reset(h);
    expect(view(h)).toEqual(['0:1.1.0:confirmed active', '1:1.0.0:']);
  });

  it('reverts when the device resets without a confirm', () => {
    const h = harness();
    upload(h, NEW);
    h.body({ op: 2, group: 1, id: 0, body: { hash: HASH } });
    reset(h);
    expect(view(h)[0]).toBe('0:1.1.0:active');
    reset(h);
    expect(view(h)).toEqual(['0:1.0.0:confirmed active', '1:1.1.0:']);
  });

  it('marks a permanent request pending + permanent and keeps the image without confirm', () => {
    const h = harness();
    upload(h, NEW);
    h.body({ op: 2, group: 1, id: 0, body: { hash: HASH, confirm: true } });
    expect(view(h)[1]).toBe('1:1.1.0:pending permanent');
    reset(h);
    reset(h);
    expect(view(h)[0]).toBe('0:1.1.0:confirmed active');
  });

  it('answers the spec error bytes A1 63 65 72 72 … 18 1C when another swap is already pending', () => {
    const h = harness();
    upload(h, NEW);
    h.body({ op: 2, group: 1, id: 0, body: { hash: HASH, confirm: true } });
    h.request({ op: 2, group: 1, id: 0, body: { hash: HASH, confirm: false } });
    const last = h.wire.at(-1) as Uint8Array;
    expect(Buffer.from(last.subarray(8)).toString('hex')).toBe('a163657272a26567726f757001627263181c');
  });

  it.each([
    ['a test without a hash', { confirm: false }, 24],
    ['a hash of the wrong length', { hash: new Uint8Array(31) }, 24],
    ['an unknown hash', { hash: new Uint8Array(32) }, 8],
  ])('refuses %s', (_n, body, rc) => {
    const h = harness();
    upload(h, NEW);
    expect(h.body({ op: 2, group: 1, id: 0, body })).toEqual({ err: { group: 1, rc } });
  });

  it('refuses to test the active slot, and treats testing the pending slot again as success', () => {
    const h = harness();
    const active = state(h)[0]?.hash as Uint8Array;
    expect(h.body({ op: 2, group: 1, id: 0, body: { hash: active } })).toEqual({ err: { group: 1, rc: 33 } });
    upload(h, NEW);
    h.body({ op: 2, group: 1, id: 0, body: { hash: HASH } });
    const again = h.body({ op: 2, group: 1, id: 0, body: { hash: HASH } });
    expect(flags((again.images as Entry[])[1])).toBe('pending');
  });

  it('refuses a new upload while a swap is pending or the new image is on trial (no free slot)', () => {
    const h = harness();
    upload(h, NEW);
    h.body({ op: 2, group: 1, id: 0, body: { hash: HASH } });
    const other = buildSimImage({ version: '1.2.0+0', board: 'sf-dev-1' });
    expect(upload(h, other)[0]).toEqual({ err: { group: 1, rc: 9 } });
    reset(h);
    expect(upload(h, other)[0]).toEqual({ err: { group: 1, rc: 9 } });
  });
});

describe('power loss (mcuboot-image.md §5.1)', () => {
  const HASH = NEW.subarray(NEW.length - 32);

  it('a power loss while the new image is on trial reverts to the old image', () => {
    const h = harness();
    upload(h, NEW);
    h.body({ op: 2, group: 1, id: 0, body: { hash: HASH } });
    h.body({ op: 2, group: 0, id: 5 });
    h.clock.runUntilIdle();
    expect(view(h)[0]).toBe('0:1.1.0:active');
    h.device.powerLoss();
    h.clock.runUntilIdle();
    expect(view(h)).toEqual(['0:1.0.0:confirmed active', '1:1.1.0:']);
  });

  it('a power loss in the middle of the swap resumes it at power-up', () => {
    const h = harness({ faults: { powerLossDuringSwap: true } });
    upload(h, NEW);
    h.body({ op: 2, group: 1, id: 0, body: { hash: HASH } });
    const events: string[] = [];
    h.device.onPower((e) => events.push(e));
    h.body({ op: 2, group: 0, id: 5 });
    h.clock.runUntilIdle();
    expect(events).toEqual(['down', 'up']);
    expect(h.device.stats.swaps).toBe(1);
    expect(view(h)).toEqual(['0:1.1.0:active', '1:1.0.0:confirmed']);
  });

  it('a power loss during an upload loses the session: the first chunk starts over', () => {
    const h = harness();
    upload(h, NEW, { stopAt: 5000 });
    h.device.powerLoss();
    h.clock.runUntilIdle();
    const first = { image: 0, len: NEW.length, off: 0, sha: sha256(NEW), data: NEW.subarray(0, 300) };
    expect(h.body({ op: 2, group: 1, id: 1, body: first })).toEqual({ off: 300 });
  });

  it('drops a test request whose image fails the hash check at boot, and keeps the old image', () => {
    const h = harness();
    const broken = NEW.slice();
    broken[100] = (broken[100] as number) ^ 1;
    upload(h, broken);
    h.body({ op: 2, group: 1, id: 0, body: { hash: HASH } });
    h.body({ op: 2, group: 0, id: 5 });
    h.clock.runUntilIdle();
    expect(view(h)).toEqual(['0:1.0.0:confirmed active']);
    expect(h.device.stats.refusedImages).toBe(1);
  });
});
