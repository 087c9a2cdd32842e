/**
 * Builds signed release bundles (resources/docs/bundle-format.md) for tests, the simulator and the
 * demo site: the manifest is derived from the images themselves, then signed with an Ed25519
 * release key. Output as files in memory, a folder, or a tar archive.
 */
import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tar from 'tar-stream';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { BUNDLE_FORMAT, MANIFEST_FILE, SIGNATURE_FILE, type BundleManifest } from './bundle-manifest';
import { hex } from './format';
import { parseImage } from './parse';

/** One image to put in a bundle. */
export interface BundleComponentInput {
  board: string;
  hwRevisions: string[];
  /** File name under `images/`. */
  name: string;
  image: Uint8Array;
  rules?: { minUpgradeFrom?: string };
}

/** What to build. */
export interface BuildBundleOptions {
  id: string;
  systemVersion: string;
  name?: string;
  /** ISO date-time; injected so builds are reproducible. */
  created: string;
  components: BundleComponentInput[];
  /** Ed25519 private release key (KeyObject or PEM). */
  releaseKey: KeyObject | string;
}

/** A built bundle: the manifest and every file by its path inside the bundle. */
export interface BuiltBundle {
  manifest: BundleManifest;
  files: Map<string, Uint8Array>;
}

/** Builds a bundle; the manifest's version, sizes, hashes and security counters come from the images. */
export function buildBundle(o: BuildBundleOptions): BuiltBundle {
  const key = typeof o.releaseKey === 'string' ? createPrivateKey(o.releaseKey) : o.releaseKey;
  const files = new Map<string, Uint8Array>();
  const components = o.components.map((c) => {
    const p = parseImage(c.image);
    if (p.status !== 'ok') throw new Error(`${c.name} is not an MCUboot image: ${p.status === 'invalid' ? p.message : 'incomplete'}`);
    const { header, facts } = p.value;
    const file = `images/${c.name}`;
    files.set(file, c.image);
    return {
      board: c.board,
      hwRevisions: c.hwRevisions,
      version: `${header.version.major}.${header.version.minor}.${header.version.revision}+${header.version.build}`,
      file,
      size: c.image.length,
      sha256: createHash('sha256').update(c.image).digest('hex'),
      imageHash: hex(facts.hash),
      ...(facts.securityCounter !== null ? { securityCounter: facts.securityCounter } : {}),
      ...(c.rules ? { rules: c.rules } : {}),
    };
  });
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    id: o.id,
    systemVersion: o.systemVersion,
    ...(o.name !== undefined ? { name: o.name } : {}),
    created: o.created,
    releaseKey: createHash('sha256').update(createPublicKey(key).export({ type: 'spki', format: 'der' })).digest('hex'),
    components,
  };
  const json = Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8');
  files.set(MANIFEST_FILE, json);
  files.set(SIGNATURE_FILE, sign(null, json, key));
  return { manifest, files };
}

/** Writes a built bundle as a folder. */
export async function writeBundleFolder(dir: string, b: BuiltBundle): Promise<void> {
  for (const [path, bytes] of b.files) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), bytes);
  }
}

/** Writes a built bundle as a tar archive; `prefix` puts everything under one top folder. */
export async function writeBundleTar(path: string, b: BuiltBundle, prefix = ''): Promise<void> {
  const pack = tar.pack();
  const done = pipeline(pack, createWriteStream(path));
  for (const [name, bytes] of b.files) pack.entry({ name: prefix ? `${prefix}/${name}` : name, size: bytes.length, mode: 0o644 }, Buffer.from(bytes));
  pack.finalize();
  await done;
}
