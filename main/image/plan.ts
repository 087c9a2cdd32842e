/**
 * Which trusted key checks which signature TLV (mcuboot-image.md §4.2, §6 steps 7–8). Pure: it
 * only matches KEYHASH/PUBKEY TLVs against trusted keys and decides how each signature must be
 * checked; the checks run once the image region has been hashed.
 */
import { SIGNATURE_TLVS, TLV } from './format';
import type { ParsedImage } from './parse';
import { ecdsaDer } from './signature';
import { keyHash, type TrustedKey } from './trusted-key';
import type { HashAlg, VerifyCategory } from './types';

/** How one signature is checked. */
export type CheckMethod = 'ed25519-digest' | 'ed25519-pure' | 'ecdsa' | 'rsa-pss';

/** One signature TLV paired with the trusted key its key TLV named. */
export interface SignatureCheck {
  key: TrustedKey;
  method: CheckMethod;
  /** For ECDSA: the DER signature without padding; null when it is malformed (a failed check). */
  signature: Uint8Array | null;
  /** Hash ECDSA streams over the region. */
  ecdsaHash: HashAlg;
}

/** The plan: checks to run, and what to report when none of them succeeds or none can run. */
export interface SignaturePlan {
  checks: SignatureCheck[];
  /** Reported when `checks` is empty. */
  fallback: { category: VerifyCategory; message: string };
}

const eq = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Walks the unprotected TLVs in order: a key TLV applies to the signature TLV right after it. */
export function planSignatures(img: ParsedImage, trusted: readonly TrustedKey[]): SignaturePlan {
  const keys = trusted.filter((k) => k.role === 'image');
  const alg = img.facts.hashAlg;
  const pure = img.facts.pure;
  const checks: SignatureCheck[] = [];
  let current: TrustedKey | null = null;
  let sawKeyTlv = false;
  let keyWithoutSignature: TrustedKey | null = null;
  let mismatch: { category: VerifyCategory; message: string } | null = null;

  for (const t of img.areas.unprotectedArea.tlvs) {
    if (t.type === TLV.KEYHASH || t.type === TLV.PUBKEY) {
      if (current) keyWithoutSignature = current;
      sawKeyTlv = true;
      current =
        t.type === TLV.KEYHASH
          ? (keys.find((k) => eq(keyHash(k, alg), t.value)) ?? null)
          : (keys.find((k) => eq(k.keyBytes, t.value)) ?? null);
    } else if (SIGNATURE_TLVS.has(t.type)) {
      if (current) {
        const m = methodFor(current, t.type, alg, pure);
        if (typeof m === 'string') {
          const signature = m === 'ecdsa' ? ecdsaDer(t.value) : t.value;
          checks.push({ key: current, method: m, signature, ecdsaHash: alg });
        } else {
          mismatch ??= m;
        }
      }
      current = null;
    }
  }
  if (current) keyWithoutSignature = current;

  const fallback =
    mismatch ??
    (keyWithoutSignature
      ? { category: 'bad-signature' as const, message: `The image names the trusted key "${keyWithoutSignature.name}" but carries no signature after it.` }
      : sawKeyTlv
        ? { category: 'unknown-key' as const, message: 'The image is signed by a key that is not among the trusted keys.' }
        : { category: 'unknown-key' as const, message: 'The image names no signing key (no KEYHASH or PUBKEY TLV), so no trusted key can check it.' });
  return { checks, fallback };
}

/** §6 step 8: does this signature TLV type suit the key and the image hash? */
function methodFor(key: TrustedKey, sigType: number, alg: HashAlg, pure: boolean): CheckMethod | { category: VerifyCategory; message: string } {
  const unsupported = (why: string) => ({ category: 'unsupported-algorithm' as const, message: why });
  const wrong = { category: 'bad-signature' as const, message: `The signature TLV 0x${sigType.toString(16)} cannot come from the ${key.type} key "${key.name}".` };
  if (sigType === TLV.ECDSA224) return unsupported('The image is signed with ECDSA P-224, which MCUboot no longer supports.');
  switch (key.type) {
    case 'ed25519':
      if (sigType !== TLV.ED25519) return wrong;
      if (pure) return 'ed25519-pure';
      return alg === 'sha384' ? unsupported('Ed25519 images must use a SHA-256 or SHA-512 hash, not SHA-384.') : 'ed25519-digest';
    case 'ecdsa-p256':
    case 'ecdsa-p384': {
      if (sigType !== TLV.ECDSA_SIG) return wrong;
      const want: HashAlg = key.type === 'ecdsa-p256' ? 'sha256' : 'sha384';
      if (pure) return unsupported('Pure signatures exist only for Ed25519.');
      return alg === want ? 'ecdsa' : unsupported(`A ${key.type} signature needs a ${want.toUpperCase()} image hash, but the image uses ${alg.toUpperCase()}.`);
    }
    case 'rsa-2048':
    case 'rsa-3072':
      if (sigType !== (key.type === 'rsa-2048' ? TLV.RSA2048_PSS : TLV.RSA3072_PSS)) return wrong;
      if (pure) return unsupported('Pure signatures exist only for Ed25519.');
      return alg === 'sha256' ? 'rsa-pss' : unsupported(`RSA signatures need a SHA-256 image hash, but the image uses ${alg.toUpperCase()}.`);
  }
}
