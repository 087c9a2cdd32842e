import { describe, expect, it } from 'vitest';
import { boardOf } from '../../../main/image/board-tag';
import { buildImage, seededBody } from '../../../main/image/build';
import { parseImage } from '../../../main/image/parse';
import { verifyImageBytes } from '../../../main/image/verify';
import { ed25519Pair, layout } from './helpers';
import { vectorBytes, vectors } from './vectors';

const { priv, key } = ed25519Pair();
const entry = (file: string) => {
  const v = vectors.vectors.find((e) => e.file === file);
  if (!v) throw new Error(file);
  return v;
};
/** Byte-equal (fast on large buffers, unlike a deep toEqual). */
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
/** Type and length of every unprotected TLV. */
const shape = (img: Uint8Array) => layout(img).tlvs.map((t) => [t.type, t.value.length]);

describe('buildImage: byte layout matches imgtool', () => {
  it('rebuilds s01 (hdr 0x200, 1.2.3+4) with the same header, body, hash and TLV shape; only key hash and signature differ', () => {
    const s01 = vectorBytes('images/s01_ed25519_basic.bin');
    const mine = buildImage({ body: seededBody('siteflash-s01', 5120), version: '1.2.3+4', signingKey: priv });
    expect(mine.length).toBe(s01.length);
    expect(same(mine.subarray(0, 512 + 5120), s01.subarray(0, 512 + 5120))).toBe(true);
    expect(shape(mine)).toEqual(shape(s01));
    expect(layout(mine).tlvs[0]?.value.toString('hex')).toBe(entry('images/s01_ed25519_basic.bin').image_hash);
  });

  it('rebuilds s04 (security counter 7, dependency on image 1 ≥ 1.2.0) with an identical protected area and hash', () => {
    const s04 = vectorBytes('images/s04_rsa3072_deps_seccnt.bin');
    const mine = buildImage({ body: seededBody('siteflash-s04', 37888), version: '3.1.4+1592', signingKey: priv, securityCounter: 7, dependencies: [{ imageId: 1, minVersion: '1.2.0+0' }] });
    const end = layout(s04).hashed;
    expect(same(mine.subarray(0, end), s04.subarray(0, end))).toBe(true);
  });

  it('rebuilds s05 (custom TLV 0x00a0 and the board tag) with an identical protected area and hash', () => {
    const s05 = vectorBytes('images/s05_ed25519_custom_tlvs_200k.bin');
    const mine = buildImage({ body: seededBody('siteflash-s05', 204800), version: '1.0.0+1', signingKey: priv, customTlvs: [{ type: 0xa0, value: Uint8Array.of(0xde, 0xad, 0xbe, 0xef) }], board: 'sf-gw-2' });
    const end = layout(s05).hashed;
    expect(same(mine.subarray(0, end), s05.subarray(0, end))).toBe(true);
    expect(shape(mine)).toEqual(shape(s05));
  });

  it('rebuilds s08 (pure) and s10 (SHA-512) with the same hash and TLV shape', () => {
    for (const [file, opts] of [
      ['images/s08_ed25519_pure.bin', { pure: true, version: '4.0.0+0', seed: 'siteflash-s08', size: 5120 }],
      ['images/s10_ed25519_sha512.bin', { hashAlg: 'sha512' as const, version: '1.3.0+0', seed: 'siteflash-s10', size: 37888 }],
    ] as const) {
      const ref = vectorBytes(file);
      const mine = buildImage({ body: seededBody(opts.seed, opts.size), signingKey: priv, ...opts });
      expect(shape(mine)).toEqual(shape(ref));
      expect(layout(mine).tlvs[0]?.value.toString('hex')).toBe(entry(file).image_hash);
    }
  });

  it('pads s06-style (--pad --confirm, 128 KiB slot) with the same trailer bytes', () => {
    const s06 = vectorBytes('images/s06_ed25519_pad_confirm.bin');
    const mine = buildImage({ body: seededBody('siteflash-s06', 37888), version: '1.1.0+0', signingKey: priv, pad: { slotSize: 0x20000, confirm: true } });
    expect(mine.length).toBe(s06.length);
    expect(same(mine.subarray(layout(mine).hashed + layout(mine).tot), s06.subarray(layout(s06).hashed + layout(s06).tot))).toBe(true);
  });
});

describe('buildImage: the verifier accepts what it makes', () => {
  const cases = {
    plain: {},
    'security counter': { securityCounter: 0x02000001 },
    dependencies: { dependencies: [{ imageId: 1, minVersion: '2.0.0' }] },
    'custom TLVs and board': { customTlvs: [{ type: 0x1000, value: 'hello' }], board: 'sf-node-1' },
    'PUBKEY instead of KEYHASH': { keyTlv: 'full' as const },
    pure: { pure: true },
    'SHA-512': { hashAlg: 'sha512' as const },
    'padded, test': { pad: { slotSize: 0x10000 } },
    'minimal 32-byte header': { headerSize: 0x20 },
  };
  for (const [name, extra] of Object.entries(cases)) {
    it(`accepts a built image with ${name}`, () => {
      const img = buildImage({ body: seededBody(name, 3000), version: '2.0.1+7', signingKey: priv, ...extra });
      const v = verifyImageBytes(img, [key]);
      expect(v.valid).toBe(true);
      expect(v.image?.version).toBe('2.0.1+7');
    });
  }

  it('tags the board so boardOf reads it back', () => {
    const p = parseImage(buildImage({ body: new Uint8Array(10), version: '1.0.0', signingKey: priv, board: 'sf-gw-2' }));
    expect(p.status === 'ok' && boardOf({ customTlvs: Object.fromEntries(p.value.facts.customTlvs.map((t) => [`0x${t.type.toString(16).padStart(4, '0')}`, Buffer.from(t.value).toString('hex')])) })).toBe('sf-gw-2');
  });

  it('refuses non-Ed25519 keys, bad versions, standard TLV tags as custom and images too big for the slot', () => {
    const body = new Uint8Array(10);
    expect(() => buildImage({ body, version: 'x', signingKey: priv })).toThrow(/version/);
    expect(() => buildImage({ body, version: '1.0.0', signingKey: priv, customTlvs: [{ type: 0x50, value: 'x' }] })).toThrow(/custom/);
    expect(() => buildImage({ body: new Uint8Array(5000), version: '1.0.0', signingKey: priv, pad: { slotSize: 4096 } })).toThrow(/slot/);
  });
});
