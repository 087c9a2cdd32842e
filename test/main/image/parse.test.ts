import { describe, expect, it } from 'vitest';
import { parseHeader } from '../../../main/image/header';
import { parseImage } from '../../../main/image/parse';
import { parseTlvAreas } from '../../../main/image/tlv';
import { parseTrailer } from '../../../main/image/trailer';
import { vectorBytes } from './vectors';
import { area, tlv } from './helpers';

const s01 = vectorBytes('images/s01_ed25519_basic.bin');

/** A 32-byte header with the given fields (little-endian, as §2). */
function header(f: { magic?: number; hdr?: number; prot?: number; img?: number; flags?: number } = {}): Buffer {
  const h = Buffer.alloc(32);
  h.writeUInt32LE(f.magic ?? 0x96f3b83d, 0);
  h.writeUInt16LE(f.hdr ?? 32, 8);
  h.writeUInt16LE(f.prot ?? 0, 10);
  h.writeUInt32LE(f.img ?? 0, 12);
  h.writeUInt32LE(f.flags ?? 0, 16);
  h.set([1, 2, 3, 0, 4, 0, 0, 0], 20);
  return h;
}

describe('parseHeader', () => {
  it('reads the fields of s01 (version 1.2.3+4, hdr 0x200, body 5120)', () => {
    const r = parseHeader(s01);
    expect(r).toMatchObject({ status: 'ok', value: { hdrSize: 512, imgSize: 5120, protectTlvSize: 0, flags: 0, loadAddr: 0, version: { major: 1, minor: 2, revision: 3, build: 4 } } });
  });
  it('asks for more bytes when given fewer than 32, which is not the same as invalid', () => {
    expect(parseHeader(s01.subarray(0, 31))).toEqual({ status: 'incomplete', needed: 32 });
  });
  it('refuses the V1 magic, erased flash and other magics as bad-magic', () => {
    for (const magic of [0x96f3b83c, 0xffffffff, 0x12345678]) {
      expect(parseHeader(header({ magic }))).toMatchObject({ status: 'invalid', category: 'bad-magic' });
    }
  });
  it('refuses a header size below 32 as malformed-header', () => {
    expect(parseHeader(header({ hdr: 31 }))).toMatchObject({ status: 'invalid', category: 'malformed-header' });
  });
  it('reads a 32-bit image size above 2^31 without going negative', () => {
    const r = parseHeader(header({ img: 0xfffffff0 }));
    expect(r.status === 'ok' && r.value.imgSize).toBe(0xfffffff0);
  });
});

describe('parseTlvAreas', () => {
  const hash = tlv(0x10, new Uint8Array(32));
  const img = (prot: Buffer, unprot: Buffer, protSize = prot.length) => Buffer.concat([header({ prot: protSize, img: 4 }), Buffer.alloc(4), prot, unprot]);
  const areas = (b: Buffer) => {
    const h = parseHeader(b);
    if (h.status !== 'ok') throw new Error('bad header');
    return parseTlvAreas(h.value, b.subarray(36), b.length);
  };

  it('locates both areas and the hashed size', () => {
    const prot = area(0x6908, [tlv(0x50, [7, 0, 0, 0])]);
    const r = areas(img(prot, area(0x6907, [hash])));
    expect(r).toMatchObject({ status: 'ok', value: { hashedSize: 36 + 12, tlvEnd: 36 + 12 + 40 } });
  });
  it('is truncated when the file ends before hdr_size + img_size + 4, even for a huge img_size', () => {
    const b = Buffer.concat([header({ img: 0xffffffff }), Buffer.alloc(100)]);
    const h = parseHeader(b);
    expect(h.status === 'ok' && parseTlvAreas(h.value, new Uint8Array(0), b.length)).toMatchObject({ status: 'invalid', category: 'truncated' });
  });
  it('is malformed-tlv when the header announces a protected area that is not there', () => {
    expect(areas(img(Buffer.alloc(0), area(0x6907, [hash]), 12))).toMatchObject({ category: 'malformed-tlv' });
  });
  it('is malformed-tlv when the protected tot differs from protect_tlv_size', () => {
    const prot = area(0x6908, [tlv(0x50, [7, 0, 0, 0])]);
    expect(areas(img(prot, area(0x6907, [hash]), 16))).toMatchObject({ category: 'malformed-tlv' });
  });
  it('is malformed-tlv when the unprotected magic is wrong', () => {
    expect(areas(img(Buffer.alloc(0), area(0x6906, [hash])))).toMatchObject({ category: 'malformed-tlv' });
  });
  it('is malformed-tlv when a TLV runs past the end of its area', () => {
    const u = area(0x6907, [hash]);
    u.writeUInt16LE(33, 6); // TLV length one past the area
    expect(areas(img(Buffer.alloc(0), u))).toMatchObject({ category: 'malformed-tlv' });
  });
  it('is malformed-tlv when a TLV header does not fit the area', () => {
    const u = Buffer.concat([area(0x6907, [hash]), Buffer.alloc(2)]);
    u.writeUInt16LE(u.readUInt16LE(2) + 2, 2);
    expect(areas(img(Buffer.alloc(0), u))).toMatchObject({ category: 'malformed-tlv' });
  });
  it('is truncated when the unprotected area runs past the end of the file', () => {
    const b = img(Buffer.alloc(0), area(0x6907, [hash]));
    expect(areas(b.subarray(0, b.length - 1))).toMatchObject({ category: 'truncated' });
  });
  it('asks for more when the caller gave a shorter region than the file has', () => {
    const b = img(Buffer.alloc(0), area(0x6907, [hash]));
    const h = parseHeader(b);
    expect(h.status === 'ok' && parseTlvAreas(h.value, b.subarray(36, 40), b.length)).toMatchObject({ status: 'incomplete' });
  });
});

describe('parseImage (TLV meaning)', () => {
  const build = (unprot: Buffer[], prot: Buffer[] = []) => {
    const p = prot.length ? area(0x6908, prot) : Buffer.alloc(0);
    return Buffer.concat([header({ prot: p.length, img: 4 }), Buffer.alloc(4), p, area(0x6907, unprot)]);
  };
  it('is malformed-tlv without a hash TLV, with two, or with one of the wrong length', () => {
    expect(parseImage(build([]))).toMatchObject({ category: 'malformed-tlv' });
    expect(parseImage(build([tlv(0x10, new Uint8Array(32)), tlv(0x12, new Uint8Array(64))]))).toMatchObject({ category: 'malformed-tlv' });
    expect(parseImage(build([tlv(0x10, new Uint8Array(31))]))).toMatchObject({ category: 'malformed-tlv' });
  });
  it('is malformed-tlv for a security counter that is not 4 bytes or a dependency that is not 12', () => {
    expect(parseImage(build([tlv(0x10, new Uint8Array(32))], [tlv(0x50, [1, 2])]))).toMatchObject({ category: 'malformed-tlv' });
    expect(parseImage(build([tlv(0x10, new Uint8Array(32))], [tlv(0x40, [1])]))).toMatchObject({ category: 'malformed-tlv' });
  });
  it('reads security counter, dependency, UUIDs and custom TLVs from the protected area only', () => {
    const r = parseImage(
      build(
        [tlv(0x10, new Uint8Array(32)), tlv(0x50, [9, 0, 0, 0])],
        [tlv(0x50, [0x01, 0, 0, 2]), tlv(0x40, [1, 0, 0, 0, 1, 2, 3, 0, 4, 0, 0, 0]), tlv(0x74, new Uint8Array(16).fill(0xaa)), tlv(0x1a5, [0x41])],
      ),
    );
    if (r.status !== 'ok') throw new Error(JSON.stringify(r));
    expect(r.value.facts.securityCounter).toBe(0x02000001);
    expect(r.value.facts.dependencies).toEqual([{ imageId: 1, minVersion: '1.2.3+4' }]);
    expect(r.value.facts.uuidVendor?.length).toBe(16);
    expect(r.value.facts.customTlvs.map((t) => t.type)).toEqual([0x1a5]);
  });
});

describe('parseTrailer', () => {
  it('reads magic and image_ok from the BOOT_MAX_ALIGN 8 layout', () => {
    const s06 = vectorBytes('images/s06_ed25519_pad_confirm.bin');
    expect(parseTrailer(s06.subarray(s06.length - 48), 92528)).toMatchObject({ magic: 'good', imageOk: 1, copyDone: 0xff, swapInfo: 0xff });
  });
  it('reports padding without a magic as magic none, and nothing when no bytes follow', () => {
    expect(parseTrailer(new Uint8Array(48).fill(0xff), 100)).toMatchObject({ magic: 'none', imageOk: null });
    expect(parseTrailer(new Uint8Array(48), 0)).toBeNull();
  });
  it('recognises the align ≠ 8 magic variant', () => {
    const t = new Uint8Array(48).fill(0xff);
    t.set([0x10, 0x00, 0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b, 0x8d, 0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a], 32);
    expect(parseTrailer(t, 48)).toMatchObject({ magic: 'good-align' });
  });
});
