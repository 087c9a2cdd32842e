/**
 * Trusted public keys: what MCUboot embeds for each key type (mcuboot-image.md §4.2), the
 * fingerprint siteflash shows, and the role a key plays (image signer or release signer).
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { SiteflashError } from '../errors';
import type { HashAlg, KeyType } from './types';

/** `image` keys sign MCUboot images; `release` keys sign bundle manifests. Never interchangeable. */
export type KeyRole = 'image' | 'release';

/** A public key siteflash trusts. */
export interface TrustedKey {
  /** Short name, e.g. the file name without `.pub.pem`. */
  name: string;
  type: KeyType;
  role: KeyRole;
  /** Shipped with the app, imported by the user, or given on the command line. */
  source: 'shipped' | 'imported' | 'given';
  publicKey: KeyObject;
  /** The bytes MCUboot hashes for KEYHASH and compares for PUBKEY: SPKI DER, or PKCS#1 DER for RSA (§4.2). */
  keyBytes: Uint8Array;
  /** SHA-256 of {@link keyBytes}, lower-case hex (= imgtool `getpubhash`). */
  fingerprint: string;
  /** The key as PEM (SubjectPublicKeyInfo). */
  pem: string;
}

/** Options for {@link trustedKeyFromPem}. */
export interface KeyOptions {
  name: string;
  role: KeyRole;
  source?: TrustedKey['source'];
}

/**
 * Reads a PEM public key and checks that it is a type MCUboot supports. Throws a
 * {@link SiteflashError} of kind `invalid-key` (not a public key, a private key, unsupported type).
 */
export function trustedKeyFromPem(pem: string | Uint8Array, opts: KeyOptions): TrustedKey {
  const text = typeof pem === 'string' ? pem : Buffer.from(pem).toString('utf8');
  if (/-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/.test(text)) {
    throw new SiteflashError('invalid-key', `"${opts.name}" is a private key. Import only the public half (imgtool getpub --encoding pem).`);
  }
  if (!/-----BEGIN (?:RSA )?PUBLIC KEY-----/.test(text)) {
    throw new SiteflashError('invalid-key', `"${opts.name}" is not a PEM public key (expected "-----BEGIN PUBLIC KEY-----").`);
  }
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: text, format: 'pem' });
  } catch (err) {
    throw new SiteflashError('invalid-key', `"${opts.name}" could not be read as a public key: ${err instanceof Error ? err.message : String(err)}.`);
  }
  const type = keyTypeOf(publicKey);
  if (!type) {
    throw new SiteflashError('invalid-key', `"${opts.name}" is a ${describeKey(publicKey)} key; MCUboot signs with Ed25519, ECDSA P-256/P-384 or RSA-2048/3072.`);
  }
  const keyBytes = new Uint8Array(
    type.startsWith('rsa') ? publicKey.export({ type: 'pkcs1', format: 'der' }) : publicKey.export({ type: 'spki', format: 'der' }),
  );
  return {
    name: opts.name,
    type,
    role: opts.role,
    source: opts.source ?? 'given',
    publicKey,
    keyBytes,
    fingerprint: createHash('sha256').update(keyBytes).digest('hex'),
    pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** KEYHASH value of a key for an image hashed with `alg` (§4.2). */
export function keyHash(key: TrustedKey, alg: HashAlg): Uint8Array {
  return createHash(alg).update(key.keyBytes).digest();
}

function keyTypeOf(k: KeyObject): KeyType | null {
  const d = k.asymmetricKeyDetails ?? {};
  if (k.asymmetricKeyType === 'ed25519') return 'ed25519';
  if (k.asymmetricKeyType === 'ec' && d.namedCurve === 'prime256v1') return 'ecdsa-p256';
  if (k.asymmetricKeyType === 'ec' && d.namedCurve === 'secp384r1') return 'ecdsa-p384';
  if (k.asymmetricKeyType === 'rsa' && d.modulusLength === 2048) return 'rsa-2048';
  if (k.asymmetricKeyType === 'rsa' && d.modulusLength === 3072) return 'rsa-3072';
  return null;
}

function describeKey(k: KeyObject): string {
  const d = k.asymmetricKeyDetails ?? {};
  return [k.asymmetricKeyType, d.namedCurve, d.modulusLength ? `${d.modulusLength}-bit` : undefined].filter(Boolean).join(' ');
}
