import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A fresh Ed25519 image key and release key for a test (no private key ships with siteflash).
 * With `trustIn`, their public halves are imported into that data folder's keys as `names`.
 */
export function testSigningKeys(trustIn?: string, names = { image: 'test-image', release: 'test-release' }): { image: KeyObject; release: KeyObject } {
  const image = generateKeyPairSync('ed25519');
  const release = generateKeyPairSync('ed25519');
  if (trustIn) {
    for (const [role, pair] of [['image', image], ['release', release]] as const) {
      mkdirSync(join(trustIn, 'keys', role), { recursive: true });
      writeFileSync(join(trustIn, 'keys', role, `${names[role]}.pub.pem`), pair.publicKey.export({ type: 'spki', format: 'pem' }));
    }
  }
  return { image: image.privateKey, release: release.privateKey };
}
