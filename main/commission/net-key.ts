import { SiteflashError } from '../errors';
import { secretRedactor, type Redactor } from '../secrets/redact';
import { netKeyName } from '../secrets/secret-names';
import type { SecretsFacade } from '../secrets/secrets-facade';
import type { SecretStore } from '../secrets/secret-store';
import { NET_KEY_BYTES } from './net-settings';

/** Fetches a project's network key for one write; the bytes live only as long as the caller holds them. */
export type NetKeySource = (projectId: string, signal?: AbortSignal) => Promise<Uint8Array>;

const HEX_KEY = new RegExp(`^[0-9a-fA-F]{${NET_KEY_BYTES * 2}}$`);

/**
 * Parses a network key as typed: 32 hex characters (spaces, colons and dashes between pairs are
 * allowed). The error never repeats what was typed.
 */
export function parseNetKeyHex(text: string): Uint8Array {
  const compact = text.trim().replace(/[\s:-]/g, '');
  if (!HEX_KEY.test(compact)) {
    throw new SiteflashError('net-key-invalid', `A network key is ${NET_KEY_BYTES} bytes written as ${NET_KEY_BYTES * 2} hex characters (0-9, a-f); what was given is not.`);
  }
  return new Uint8Array(Buffer.from(compact, 'hex'));
}

/**
 * Teaches the redactor every form the key could take in text: hex in both cases, and base64 of
 * the raw bytes (the store already registers the stored text itself).
 */
export function registerKeyForms(key: Uint8Array, redactor: Redactor = secretRedactor): void {
  const hex = Buffer.from(key).toString('hex');
  redactor.add(hex);
  redactor.add(hex.toUpperCase());
  redactor.add(Buffer.from(key).toString('base64'));
}

/** Stores a project's key (lower-case hex) through the facade and registers its forms with the redactor. */
export async function setNetKey(secrets: SecretsFacade, projectId: string, keyHex: string, redactor: Redactor = secretRedactor): Promise<void> {
  const key = parseNetKeyHex(keyHex);
  registerKeyForms(key, redactor);
  await secrets.set(netKeyName(projectId), Buffer.from(key).toString('hex'));
}

/**
 * The engine's key source over the keychain: reads `net-key:<projectId>` when a device needs it,
 * registers its forms with the redactor, and returns the 16 bytes. Nothing is cached or hashed.
 */
export function keychainNetKeys(store: SecretStore, redactor: Redactor = secretRedactor): NetKeySource {
  return async (projectId, signal) => {
    signal?.throwIfAborted();
    const text = await store.get(netKeyName(projectId));
    if (text === null) {
      throw new SiteflashError('net-key-missing', `No network key is set for project ${projectId}. Set it with "siteflash secrets set-net-key --project ${projectId}", then retry.`);
    }
    const key = parseNetKeyHex(text);
    registerKeyForms(key, redactor);
    return key;
  };
}
