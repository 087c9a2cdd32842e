import { constants, createHash, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildImage, seededBody } from '../../../main/image/build';
import { ecdsaDer, verifyRsaPssDigest } from '../../../main/image/signature';
import { trustedKeyFromPem } from '../../../main/image/trusted-key';
import { verifyImageBytes } from '../../../main/image/verify';
import { ed25519Pair, layout, smallImage, tlv, withUnprotected } from './helpers';
import { vectorBytes, vectorKey } from './vectors';

const { priv, key } = ed25519Pair('signer');
const other = ed25519Pair('other');

describe('verifyImageBytes: keys and signatures', () => {
  it('checks the signature after a matching key TLV even when an unknown key and its signature come first', () => {
    const mine = smallImage(priv);
    const foreign = smallImage(other.priv);
    const [hash, , ...rest] = layout(mine).tlvs;
    const f = layout(foreign).tlvs;
    const img = withUnprotected(mine, [tlv(0x10, hash!.value), tlv(0x01, f[1]!.value), tlv(0x24, f[2]!.value), ...[layout(mine).tlvs[1]!, ...rest].map((t) => tlv(t.type, t.value))]);
    expect(verifyImageBytes(img, [key])).toMatchObject({ valid: true, signer: { name: 'signer' } });
  });

  it('is bad-signature when a trusted key TLV has no signature after it', () => {
    const [hash, kh] = layout(smallImage(priv)).tlvs;
    const img = withUnprotected(smallImage(priv), [tlv(0x10, hash!.value), tlv(0x01, kh!.value)]);
    expect(verifyImageBytes(img, [key])).toMatchObject({ valid: false, category: 'bad-signature' });
  });

  it('is unknown-key when the image names no key at all', () => {
    const [hash, , sig] = layout(smallImage(priv)).tlvs;
    const img = withUnprotected(smallImage(priv), [tlv(0x10, hash!.value), tlv(0x24, sig!.value)]);
    expect(verifyImageBytes(img, [key])).toMatchObject({ valid: false, category: 'unknown-key' });
  });

  it('is bad-signature when the signature TLV type does not suit the key (ECDSA TLV after an Ed25519 key)', () => {
    const [hash, kh, sig] = layout(smallImage(priv)).tlvs;
    const img = withUnprotected(smallImage(priv), [tlv(0x10, hash!.value), tlv(0x01, kh!.value), tlv(0x22, sig!.value)]);
    expect(verifyImageBytes(img, [key])).toMatchObject({ valid: false, category: 'bad-signature' });
  });

  it('is unsupported-algorithm for an ECDSA P-224 signature', () => {
    const [hash, kh, sig] = layout(smallImage(priv)).tlvs;
    const img = withUnprotected(smallImage(priv), [tlv(0x10, hash!.value), tlv(0x01, kh!.value), tlv(0x21, sig!.value)]);
    expect(verifyImageBytes(img, [key])).toMatchObject({ valid: false, category: 'unsupported-algorithm' });
  });

  it('accepts only a full-length KEYHASH (MCUboot compares a prefix; siteflash does not)', () => {
    const [hash, kh, sig] = layout(smallImage(priv)).tlvs;
    const img = withUnprotected(smallImage(priv), [tlv(0x10, hash!.value), tlv(0x01, kh!.value.subarray(0, 16)), tlv(0x24, sig!.value)]);
    expect(verifyImageBytes(img, [key])).toMatchObject({ valid: false, category: 'unknown-key' });
  });

  it('is unsupported-algorithm for encrypted images, never valid', () => {
    const img = smallImage(priv, { flags: 0x4 });
    expect(verifyImageBytes(img, [key])).toMatchObject({ valid: false, category: 'unsupported-algorithm' });
  });

  it('reports unknown flag bits as a note without refusing the image', () => {
    const v = verifyImageBytes(smallImage(priv, { flags: 0x40000 }), [key]);
    expect(v.valid).toBe(true);
    expect(v.notes.join(' ')).toMatch(/0x40000/);
  });

  it('refuses a pure image larger than maxPureBytes as unsupported-algorithm, and accepts it under the limit', () => {
    const img = smallImage(priv, { pure: true });
    expect(verifyImageBytes(img, [key], { maxPureBytes: 1000 })).toMatchObject({ valid: false, category: 'unsupported-algorithm' });
    expect(verifyImageBytes(img, [key], { maxPureBytes: 4096 }).valid).toBe(true);
  });

  it('is bad-signature for a pure image whose SIG_PURE was stripped (the signature covers the region, not the digest)', () => {
    const img = smallImage(priv, { pure: true });
    const tlvs = layout(img).tlvs.filter((t) => t.type !== 0x25).map((t) => tlv(t.type, t.value));
    expect(verifyImageBytes(withUnprotected(img, tlvs), [key])).toMatchObject({ valid: false, category: 'bad-signature' });
  });

  it('is unsupported-algorithm when an ECDSA P-256 signature comes with a SHA-512 image hash', () => {
    const s02 = vectorBytes('images/s02_ecdsa_p256_seccnt_auto.bin');
    const [, kh, sig] = layout(s02).tlvs;
    const digest = createHash('sha512').update(s02.subarray(0, layout(s02).hashed)).digest();
    const p256 = vectorKey('keys/ecdsa-p256.pub.pem');
    const kh512 = createHash('sha512').update(p256.keyBytes).digest();
    expect(kh!.value.length).toBe(32);
    const img = withUnprotected(s02, [tlv(0x12, digest), tlv(0x01, kh512), tlv(0x22, sig!.value)]);
    expect(verifyImageBytes(img, [p256])).toMatchObject({ valid: false, category: 'unsupported-algorithm' });
  });
});

describe('RSA-PSS over the digest', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pub = trustedKeyFromPem(rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString(), { name: 'rsa', role: 'image' });
  const message = seededBody('pss', 300);
  const digest = createHash('sha256').update(message).digest();
  const pss = (saltLength: number) => sign('sha256', message, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });

  it('accepts a 32-byte salt and refuses any other salt length, as MCUboot does', () => {
    expect(verifyRsaPssDigest(pub.publicKey, digest, pss(32))).toBe(true);
    expect(verifyRsaPssDigest(pub.publicKey, digest, pss(20))).toBe(false);
    expect(verifyRsaPssDigest(pub.publicKey, digest, pss(0))).toBe(false);
  });
  it('refuses a signature of the wrong length or over another digest', () => {
    expect(verifyRsaPssDigest(pub.publicKey, digest, pss(32).subarray(1))).toBe(false);
    expect(verifyRsaPssDigest(pub.publicKey, createHash('sha256').update('x').digest(), pss(32))).toBe(false);
  });
});

describe('ecdsaDer', () => {
  const good = Uint8Array.from([0x30, 0x08, 0x02, 0x02, 0x00, 0x80, 0x02, 0x02, 0x01, 0x02]);
  it('accepts a well-formed SEQUENCE of two positive INTEGERs and drops --pad-sig zeros', () => {
    expect(ecdsaDer(good)).toEqual(good);
    expect(ecdsaDer(Uint8Array.from([...good, 0, 0]))).toEqual(good);
  });
  it('refuses negative or non-minimal integers, long-form lengths and lengths past the end', () => {
    expect(ecdsaDer(Uint8Array.from([0x30, 0x06, 0x02, 0x01, 0x80, 0x02, 0x01, 0x01, 0, 0]))).toBeNull();
    expect(ecdsaDer(Uint8Array.from([0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x01, 0]))).toBeNull();
    expect(ecdsaDer(Uint8Array.from([0x30, 0x81, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]))).toBeNull();
    expect(ecdsaDer(Uint8Array.from([0x30, 0x20, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0, 0]))).toBeNull();
  });
});

describe('trustedKeyFromPem', () => {
  it('refuses private keys, non-PEM text and key types MCUboot does not use', () => {
    const pem = priv.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => trustedKeyFromPem(pem, { name: 'p', role: 'image' })).toThrow(/private key/);
    expect(() => trustedKeyFromPem('hello', { name: 'h', role: 'image' })).toThrow(/not a PEM public key/);
    const x448 = generateKeyPairSync('x448').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => trustedKeyFromPem(x448, { name: 'x', role: 'image' })).toThrow(/x448/);
  });
  it('makes the same key from PEM regardless of line endings', () => {
    expect(trustedKeyFromPem(key.pem.replace(/\n/g, '\r\n'), { name: 'k', role: 'image' }).fingerprint).toBe(key.fingerprint);
  });
});

describe('a built image as a sanity baseline', () => {
  it('is valid with its key and invalid with another', () => {
    const img = buildImage({ body: new Uint8Array(64), version: '1.0.0', signingKey: priv });
    expect(verifyImageBytes(img, [key]).valid).toBe(true);
    expect(verifyImageBytes(img, [other.key])).toMatchObject({ valid: false, category: 'unknown-key' });
  });
});
