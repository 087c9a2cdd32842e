import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyImageBytes } from '../../../main/image/verify';
import { verifyImageFile } from '../../../main/image/verify-file';
import { VECTORS_DIR, vectorBytes, vectorKey, vectors } from './vectors';

describe('imgtool test vectors (shared/vectors/vectors.json)', () => {
  it('covers all 20 files', () => {
    expect(vectors.vectors).toHaveLength(20);
  });

  for (const v of vectors.vectors) {
    describe(v.file, () => {
      const key = vectorKey(v.trusted_key);

      it(`is judged ${v.expected}${v.reason ? ` (${v.reason})` : ''} with only its trusted key, in memory and streamed`, async () => {
        const fromBytes = verifyImageBytes(vectorBytes(v.file), [key]);
        const fromFile = await verifyImageFile(path.join(VECTORS_DIR, v.file), [key], { chunkSize: 4096 });
        for (const verdict of [fromBytes, fromFile]) {
          expect(verdict.valid).toBe(v.expected === 'valid');
          if (!verdict.valid) expect(v.acceptable_reasons).toContain(verdict.category);
          expect(verdict.fileSize).toBe(v.file_size);
          expect(verdict.fileSha256).toBe(v.file_sha256);
        }
        expect(fromFile).toEqual(fromBytes);
        if (fromBytes.image) {
          // Tampered files keep the header and hash TLV of the image they came from.
          expect(fromBytes.image).toMatchObject({ version: v.version, hdrSize: v.hdr_size, imgSize: v.img_size, hashAlg: v.hash_alg, hash: v.image_hash });
        }
      });

      if (v.expected === 'valid') {
        it('reports header, hash, security counter, dependencies, custom TLVs, key TLV and trailer as imgtool wrote them', () => {
          const verdict = verifyImageBytes(vectorBytes(v.file), [key]);
          if (!verdict.valid) throw new Error(verdict.message);
          const i = verdict.image;
          expect(i.version).toBe(v.version);
          expect(i.hdrSize).toBe(v.hdr_size);
          expect(i.imgSize).toBe(v.img_size);
          expect(i.protectTlvSize).toBe(v.protect_tlv_size);
          expect(i.flags).toBe(v.flags);
          expect(i.loadAddr).toBe(v.load_addr);
          expect(i.hashAlg).toBe(v.hash_alg);
          expect(i.hash).toBe(v.image_hash);
          expect(i.securityCounter).toBe(v.security_counter);
          expect(i.dependencies).toEqual((v.dependencies ?? []).map((d) => ({ imageId: d.image_id, minVersion: d.min_version })));
          expect(i.customTlvs).toEqual(v.custom_tlvs);
          expect(i.keyTlv).toBe(v.key_tlv);
          expect(i.pure).toBe(v.pure);
          expect(verdict.signer.fingerprint).toBe(key.fingerprint);
          if (v.trailer) {
            expect(i.trailer).toMatchObject({ bytesAfterTlvs: v.trailer.bytes_after_tlvs, magicHex: v.trailer.magic_hex, imageOk: v.trailer.image_ok, copyDone: v.trailer.copy_done, swapInfo: v.trailer.swap_info });
            expect(i.trailer?.magic).toBe('good');
          } else {
            expect(i.trailer).toBeNull();
          }
        });

        it('is unknown-key when only the untrusted key is trusted', () => {
          const verdict = verifyImageBytes(vectorBytes(v.file), [vectorKey('keys/untrusted-ed25519.pub.pem')]);
          expect(verdict).toMatchObject({ valid: false, category: 'unknown-key' });
        });

        it('is unknown-key when its key is trusted only as a release key', () => {
          const verdict = verifyImageBytes(vectorBytes(v.file), [vectorKey(v.trusted_key, 'release')]);
          expect(verdict).toMatchObject({ valid: false, category: 'unknown-key' });
        });
      }
    });
  }

  it('computes key fingerprints as the SHA-256 of the bytes MCUboot hashes for KEYHASH', () => {
    for (const k of Object.values(vectors.keys)) {
      const key = vectorKey(k.file);
      expect(key.fingerprint).toBe(k.keyhash_sha256);
      expect(key.keyBytes.length).toBe(k.key_bytes_len);
      expect(key.type).toBe(k.type);
    }
  });

  it('accepts an image when several keys are trusted and reports the one that signed it', () => {
    const all = Object.values(vectors.keys).map((k) => vectorKey(k.file));
    const verdict = verifyImageBytes(vectorBytes('images/s04_rsa3072_deps_seccnt.bin'), all);
    expect(verdict.valid && verdict.signer.name).toBe('rsa-3072');
  });
});
