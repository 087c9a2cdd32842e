/**
 * The demo site's signing keys: made for one data folder on its first demo use, kept in
 * `<dataDir>/demo-keys/` (0600), and trusted for the demo release only. No private key ships with
 * siteflash: a published demo key would make anything it signs verify everywhere.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { trustedKeyFromPem, type TrustedKey } from '../image/trusted-key';
import { DEMO_KEY_PREFIX } from './demo-catalog';

/** Folder of the demo keys inside the data folder. */
export const DEMO_KEYS_DIR = 'demo-keys';

/** What every verdict from a demo key says. */
export const DEMO_KEY_WARNING = 'DEMO KEY, protects nothing';

/** The demo keys of one data folder: private halves to sign with, public halves to verify the demo release. */
export interface DemoKeys {
  image: KeyObject;
  release: KeyObject;
  /** The public halves as trusted keys (`siteflash-demo-image`, `siteflash-demo-release`). */
  trusted: TrustedKey[];
}

/** Loads the data folder's demo keys, generating them (Ed25519, files 0600) on first use. */
export async function demoKeysFor(dataDir: string): Promise<DemoKeys> {
  const dir = join(dataDir, DEMO_KEYS_DIR);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const [image, release] = await Promise.all([privateKeyAt(join(dir, 'image.key.pem')), privateKeyAt(join(dir, 'release.key.pem'))]);
  const trust = (k: KeyObject, role: 'image' | 'release') =>
    trustedKeyFromPem(createPublicKey(k).export({ type: 'spki', format: 'pem' }).toString(), { name: `${DEMO_KEY_PREFIX}${role}`, role, source: 'given' });
  return { image, release, trusted: [trust(image, 'image'), trust(release, 'release')] };
}

/** True for a key made by {@link demoKeysFor} (or any key named like one: it is then treated as one). */
export function isDemoKey(key: Pick<TrustedKey, 'name'>): boolean {
  return key.name.startsWith(DEMO_KEY_PREFIX);
}

async function privateKeyAt(path: string): Promise<KeyObject> {
  try {
    return createPrivateKey(await readFile(path, 'utf8'));
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOENT') throw err;
  }
  const { privateKey } = generateKeyPairSync('ed25519');
  // 'wx': two first uses at once must not overwrite each other's key; the loser reads the winner's.
  await writeFile(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' }).catch(async (err: unknown) => {
    if ((err as { code?: string }).code !== 'EEXIST') throw err;
  });
  await chmod(path, 0o600);
  return createPrivateKey(await readFile(path, 'utf8'));
}
