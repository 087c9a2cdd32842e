/**
 * The trusted-key store: keys shipped with the app (`resources/keys/<role>/`) plus keys the user
 * imported (`<dataDir>/keys/<role>/`), one PEM file per key, named `<name>.pub.pem`.
 * The folder a key sits in is its role: `image` keys check MCUboot images, `release` keys check
 * bundle manifests.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SiteflashError } from '../errors';
import { resourcesDir } from '../paths';
import { trustedKeyFromPem, type KeyRole, type TrustedKey } from './trusted-key';
import type { KeyType } from './types';

/** Key roles, i.e. the sub-folders of a key folder. */
export const KEY_ROLES: readonly KeyRole[] = ['image', 'release'];
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const SUFFIX = '.pub.pem';

/** A key as listed to the user (no key object, JSON-friendly). */
export interface KeyListing {
  name: string;
  type: KeyType;
  role: KeyRole;
  source: TrustedKey['source'];
  fingerprint: string;
}

/** A key file that could not be used, reported rather than silently skipped. */
export interface KeyProblem {
  file: string;
  message: string;
}

/** Where the store looks. */
export interface KeyStoreOptions {
  /** Folder of shipped keys (`resources/keys`). */
  shippedDir: string;
  /** Folder of imported keys (`<dataDir>/keys`). */
  userDir: string;
}

/** Trusted keys over two folders. */
export class KeyStore {
  constructor(readonly opts: KeyStoreOptions) {}

  /** Every readable key, shipped first, plus the files that could not be read. */
  async load(): Promise<{ keys: TrustedKey[]; problems: KeyProblem[] }> {
    const keys: TrustedKey[] = [];
    const problems: KeyProblem[] = [];
    for (const [dir, source] of [[this.opts.shippedDir, 'shipped'], [this.opts.userDir, 'imported']] as const) {
      for (const role of KEY_ROLES) {
        const folder = join(dir, role);
        const files = await readdir(folder).catch(() => [] as string[]);
        for (const file of files.filter((f) => f.endsWith(SUFFIX)).sort()) {
          try {
            keys.push(trustedKeyFromPem(await readFile(join(folder, file)), { name: file.slice(0, -SUFFIX.length), role, source }));
          } catch (err) {
            problems.push({ file: join(folder, file), message: err instanceof Error ? err.message : String(err) });
          }
        }
      }
    }
    return { keys, problems };
  }

  /** Trusted keys of one role (or all). */
  async keys(role?: KeyRole): Promise<TrustedKey[]> {
    const { keys } = await this.load();
    return role ? keys.filter((k) => k.role === role) : keys;
  }

  /** The JSON-friendly list shown to the user. */
  async list(): Promise<KeyListing[]> {
    return (await this.keys()).map(listing);
  }

  /**
   * Validates a PEM public key and stores it as `<userDir>/<role>/<name>.pub.pem`. Throws a
   * SiteflashError: `invalid-key` (bad PEM, private key, unsupported type, bad name) or
   * `key-exists` (same name or same key already trusted in that role).
   */
  async importKey(pem: string | Uint8Array, opts: { name: string; role: KeyRole }): Promise<TrustedKey> {
    if (!NAME_RE.test(opts.name)) {
      throw new SiteflashError('invalid-key', `"${opts.name}" is not a usable key name: use letters, digits, '.', '_' or '-' (up to 64).`);
    }
    const key = trustedKeyFromPem(pem, { ...opts, source: 'imported' });
    const existing = await this.keys(opts.role);
    const clash = existing.find((k) => k.name === key.name || k.fingerprint === key.fingerprint);
    if (clash) {
      throw new SiteflashError('key-exists', `This ${opts.role} key is already trusted as "${clash.name}" (fingerprint ${clash.fingerprint.slice(0, 16)}…).`);
    }
    const folder = join(this.opts.userDir, opts.role);
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, key.name + SUFFIX), key.pem, { flag: 'wx' }).catch((err: unknown) => {
      const exists = (err as { code?: string }).code === 'EEXIST';
      throw new SiteflashError(exists ? 'key-exists' : 'key-store-io', exists ? `A key file named "${key.name}" already exists (it could not be read; see the key list's problems).` : `Cannot store the key: ${err instanceof Error ? err.message : String(err)}.`, exists);
    });
    return key;
  }

  /** Removes an imported key; shipped keys cannot be removed. Throws `key-not-found`. */
  async removeKey(name: string, role: KeyRole): Promise<void> {
    const key = (await this.keys(role)).find((k) => k.name === name && k.source === 'imported');
    if (!key) throw new SiteflashError('key-not-found', `No imported ${role} key is named "${name}".`);
    await rm(join(this.opts.userDir, role, name + SUFFIX));
  }
}

/** The listing of one key. */
export function listing(k: TrustedKey): KeyListing {
  return { name: k.name, type: k.type, role: k.role, source: k.source, fingerprint: k.fingerprint };
}

/** The store for an app data folder: shipped keys from `resources/keys`, imported ones from `<dataDir>/keys`. */
export function keyStoreFor(dataDir: string, resources: string = resourcesDir()): KeyStore {
  return new KeyStore({ shippedDir: join(resources, 'keys'), userDir: join(dataDir, 'keys') });
}
