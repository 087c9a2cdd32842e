import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VERIFY_CATEGORIES, type Verdict } from '../../../main/image/types';
import { verifyImageBytes } from '../../../main/image/verify';
import { layout } from './helpers';
import { vectorBytes, vectorKey, vectors } from './vectors';

const allKeys = Object.values(vectors.keys).map((k) => vectorKey(k.file));
/** Verifies with every vector key trusted (the untrusted one too: it must not rescue a damaged image). */
const judge = (b: Uint8Array): Verdict => verifyImageBytes(b, allKeys);
const refused = (v: Verdict) => !v.valid && VERIFY_CATEGORIES.includes(v.category) && v.message.length > 0;

/** Unpadded valid vectors: every byte of them is either hashed or meaningful TLV data. */
const UNPADDED = ['s01_ed25519_basic', 's02_ecdsa_p256_seccnt_auto', 's03_rsa2048_pubkey_full', 's04_rsa3072_deps_seccnt', 's07_ecdsa_p384_hdr32', 's08_ed25519_pure', 's10_ed25519_sha512'].map(
  (n) => [n, vectorBytes(`images/${n}.bin`)] as const,
);

describe('never a throw, never valid for bad input', () => {
  it('refuses random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 4096 }), (b) => refused(judge(b))), { numRuns: 400 });
  });

  it('refuses random bytes behind a good magic and random header fields', () => {
    const arb = fc.tuple(fc.uint8Array({ minLength: 28, maxLength: 28 }), fc.uint8Array({ maxLength: 4096 }));
    fc.assert(
      fc.property(arb, ([hdr, rest]) => refused(judge(Uint8Array.from([0x3d, 0xb8, 0xf3, 0x96, ...hdr, ...rest])))),
      { numRuns: 400 },
    );
  });

  it('refuses random header fields in front of a real image body and TLVs', () => {
    const s01 = vectorBytes('images/s01_ed25519_basic.bin');
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 28, maxLength: 28 }), (hdr) => {
        const b = Uint8Array.from(s01);
        b.set(hdr, 4);
        return (hdr.every((x, i) => x === s01[4 + i]) && judge(b).valid) || refused(judge(b));
      }),
      { numRuns: 300 },
    );
  });

  for (const name of ['s01_ed25519_basic', 's08_ed25519_pure', 's07_ecdsa_p384_hdr32']) {
    it(`refuses ${name} cut at every offset as truncated`, () => {
      const img = vectorBytes(`images/${name}.bin`);
      expect(judge(img).valid).toBe(true);
      for (let n = 0; n < img.length; n++) {
        const v = judge(img.subarray(0, n));
        if (v.valid || v.category !== 'truncated') throw new Error(`cut at ${n}: ${JSON.stringify(v)}`);
      }
    });
  }

  it('refuses every single-byte change anywhere in s01', () => {
    const s01 = vectorBytes('images/s01_ed25519_basic.bin');
    const b = Uint8Array.from(s01);
    for (let i = 0; i < b.length; i++) {
      for (const mask of [0x01, 0x80]) {
        b[i] = (s01[i] ?? 0) ^ mask;
        const v = judge(b);
        if (!refused(v)) throw new Error(`byte ${i} ^ ${mask}: ${JSON.stringify(v)}`);
      }
      b[i] = s01[i] ?? 0;
    }
  });

  it('refuses every single-byte change of the header and both TLV areas of every unpadded vector', () => {
    for (const [name, img] of UNPADDED) {
      const { hashed, tot } = layout(img);
      const hdr = Buffer.from(img).readUInt16LE(8);
      const prot = Buffer.from(img).readUInt16LE(10);
      const offsets = [...Array(hdr).keys(), ...Array.from({ length: prot + tot }, (_, k) => hashed - prot + k)];
      const b = Uint8Array.from(img);
      for (const i of offsets) {
        b[i] = (img[i] ?? 0) ^ 0x01;
        const v = judge(b);
        if (!refused(v)) throw new Error(`${name} byte ${i}: ${JSON.stringify(v)}`);
        b[i] = img[i] ?? 0;
      }
    }
  });

  it('refuses random single-byte changes (any offset, any mask) of every unpadded vector', () => {
    for (const [, img] of UNPADDED) {
      fc.assert(
        fc.property(fc.nat(img.length - 1), fc.integer({ min: 1, max: 255 }), (i, mask) => {
          const b = Uint8Array.from(img);
          b[i] = (b[i] ?? 0) ^ mask;
          return refused(judge(b));
        }),
        { numRuns: 60 },
      );
    }
  });

  it('refuses images whose signature is replaced by random bytes of the same length', () => {
    for (const [, img] of UNPADDED) {
      const sig = layout(img).tlvs.at(-1);
      if (!sig) throw new Error('no signature');
      fc.assert(
        fc.property(fc.uint8Array({ minLength: sig.value.length, maxLength: sig.value.length }), (random) => {
          const b = Uint8Array.from(img);
          b.set(random, sig.offset + 4);
          return Buffer.from(random).equals(sig.value) || refused(judge(b));
        }),
        { numRuns: 20 },
      );
    }
  });
});
