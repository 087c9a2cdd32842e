import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { LaptopKeyInfo } from '../../preload/api';
import { SiteflashError } from '../errors';
import type { SecretStore } from './secret-store';

export type { LaptopKeyInfo } from '../../preload/api';

/**
 * The laptop's own Ed25519 key: it signs visit reports (main/report/). Made on first use and kept
 * only in the OS keychain (secret `laptop-key`, the PKCS#8 DER in base64); never written to disk,
 * the database or a log. Its fingerprint is the SHA-256 of the public key's SPKI DER, like the
 * trusted keys' (main/image/trusted-key.ts).
 */
export interface LaptopKey extends LaptopKeyInfo {
  /** Ed25519 signature (64 bytes) of `data`. */
  sign(data: Uint8Array): Buffer;
}

/** Public facts of a public key: PEM, raw hex, fingerprint. */
export function publicKeyInfo(publicKey: KeyObject, createdNow = false): LaptopKeyInfo {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  return {
    algorithm: 'ed25519',
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    // The raw 32-byte key is the tail of Ed25519's 44-byte SPKI (RFC 8410).
    publicKeyHex: spki.subarray(spki.length - 32).toString('hex'),
    fingerprint: createHash('sha256').update(spki).digest('hex'),
    createdNow,
  };
}

/** Reads the laptop key from the keychain, making and storing it first if there is none. */
export async function laptopKey(store: SecretStore): Promise<LaptopKey> {
  let stored = await store.get('laptop-key');
  let createdNow = false;
  if (stored === null) {
    const { privateKey } = generateKeyPairSync('ed25519');
    stored = privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
    await store.set('laptop-key', stored);
    createdNow = true;
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: Buffer.from(stored, 'base64'), format: 'der', type: 'pkcs8' });
  } catch {
    throw new SiteflashError('laptop-key-invalid', 'The laptop key in the system keychain cannot be read. Remove the "laptop-key" entry of siteflash from the keychain to make a new one; reports signed by the old key still verify with its public key.', false);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new SiteflashError('laptop-key-invalid', 'The laptop key in the system keychain is not an Ed25519 key.', false);
  const info = publicKeyInfo(createPublicKey(privateKey), createdNow);
  return { ...info, sign: (data) => sign(null, data, privateKey) };
}

/** The key's public facts only (what crosses to the renderer). */
export function publicPart(key: LaptopKey): LaptopKeyInfo {
  return { algorithm: key.algorithm, publicKeyPem: key.publicKeyPem, publicKeyHex: key.publicKeyHex, fingerprint: key.fingerprint, createdNow: key.createdNow };
}
