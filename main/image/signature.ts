/**
 * Signature primitives over node:crypto, as MCUboot checks them (mcuboot-image.md §4.3).
 * Each returns a boolean and never throws: malformed input is simply "not a good signature".
 */
import { constants, createHash, publicDecrypt, timingSafeEqual, verify, type KeyObject } from 'node:crypto';

/** §4.3: MCUboot accepts RSA-PSS only with a 32-byte salt. */
const PSS_SALT_LEN = 32;
const SHA256_LEN = 32;

/** Plain Ed25519 (RFC 8032) over `message` (the digest, or the whole region for pure images). */
export function verifyEd25519(key: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  try {
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

/**
 * Checks that `sig` starts with a well-formed DER `SEQUENCE { INTEGER r, INTEGER s }` of two
 * positive integers and returns just those bytes (imgtool `--pad-sig` may add trailing zeros).
 * Null when malformed.
 */
export function ecdsaDer(sig: Uint8Array): Uint8Array | null {
  if (sig.length < 8 || sig[0] !== 0x30) return null;
  const seqLen = sig[1] ?? 0;
  if (seqLen >= 0x80 || seqLen + 2 > sig.length) return null;
  let pos = 2;
  for (let i = 0; i < 2; i++) {
    if (sig[pos] !== 0x02) return null;
    const len = sig[pos + 1] ?? 0;
    if (len === 0 || len >= 0x80 || pos + 2 + len > seqLen + 2) return null;
    const first = sig[pos + 2] ?? 0;
    if (first & 0x80) return null; // negative
    if (first === 0 && len > 1 && ((sig[pos + 3] ?? 0) & 0x80) === 0) return null; // non-minimal
    pos += 2 + len;
  }
  if (pos !== seqLen + 2) return null;
  return sig.subarray(0, pos);
}

/**
 * RSASSA-PSS verification of a SHA-256 digest (not of the message), MGF1-SHA-256, salt exactly
 * 32 bytes, trailer 0xbc — the EMSA-PSS-VERIFY steps of RFC 8017 §9.1.2 over the raw RSA result.
 */
export function verifyRsaPssDigest(key: KeyObject, digest: Uint8Array, signature: Uint8Array): boolean {
  const modBits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  const k = Math.ceil(modBits / 8);
  if (digest.length !== SHA256_LEN || signature.length !== k) return false;
  let em: Buffer;
  try {
    em = publicDecrypt({ key, padding: constants.RSA_NO_PADDING }, signature);
  } catch {
    return false;
  }
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  // With emBits = modBits - 1 and modBits a multiple of 8, EM has one leading zero octet.
  if (em.length !== k) return false;
  if (emLen < k) {
    if (em[0] !== 0) return false;
    em = em.subarray(k - emLen);
  }
  if (emLen < SHA256_LEN + PSS_SALT_LEN + 2 || em[emLen - 1] !== 0xbc) return false;
  const maskedDb = em.subarray(0, emLen - SHA256_LEN - 1);
  const h = em.subarray(emLen - SHA256_LEN - 1, emLen - 1);
  const unusedBits = 8 * emLen - emBits;
  if (((maskedDb[0] ?? 0) & (0xff << (8 - unusedBits)) & 0xff) !== 0) return false;
  const db = mgf1(h, maskedDb.length);
  for (let i = 0; i < db.length; i++) db[i] = (db[i] ?? 0) ^ (maskedDb[i] ?? 0);
  db[0] = (db[0] ?? 0) & (0xff >> unusedBits);
  const psLen = emLen - SHA256_LEN - PSS_SALT_LEN - 2;
  for (let i = 0; i < psLen; i++) if (db[i] !== 0) return false;
  if (db[psLen] !== 0x01) return false;
  const salt = db.subarray(db.length - PSS_SALT_LEN);
  const mPrime = Buffer.concat([Buffer.alloc(8), digest, salt]);
  const hPrime = createHash('sha256').update(mPrime).digest();
  return timingSafeEqual(hPrime, h);
}

function mgf1(seed: Uint8Array, len: number): Buffer {
  const out = Buffer.alloc(len);
  const counter = Buffer.alloc(4);
  for (let off = 0, c = 0; off < len; off += SHA256_LEN, c++) {
    counter.writeUInt32BE(c);
    createHash('sha256').update(seed).update(counter).digest().copy(out, off);
  }
  return out;
}
