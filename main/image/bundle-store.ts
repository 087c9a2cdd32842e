/**
 * Verified release bundles kept for offline use in `<dataDir>/bundles/<id>/`. An import first
 * copies (folder) or unpacks (archive) into a private staging folder, verifies that copy, and
 * only then moves it into place, so what is stored is exactly what was verified.
 */
import { copyFile, lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SiteflashError } from '../errors';
import { MANIFEST_FILE, MANIFEST_MAX_BYTES, parseManifest, SIGNATURE_FILE } from './bundle-manifest';
import { extractBundleTar } from './bundle-tar';
import { nonRegularKind } from './regular-file';
import { verifyBundleFolder, type BundleVerdict, type BundleVerifyOptions } from './bundle-verify';
import type { TrustedKey } from './trusted-key';

/** A stored bundle as listed (from its manifest; {@link BundleStore.verify} re-checks it). */
export interface StoredBundle {
  id: string;
  systemVersion: string;
  name?: string;
  created: string;
  components: { board: string; hwRevisions: string[]; version: string; file: string; size: number }[];
  path: string;
}

/** The outcome of an import: the verdict, plus where it was stored when accepted. */
export type BundleImportResult = BundleVerdict & { storedAt?: string; alreadyStored?: boolean };

const ID_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** The bundle folder of an app data folder. */
export class BundleStore {
  readonly root: string;

  /** `keys` gives the current trusted keys (both roles), e.g. `() => keyStore.keys()`. */
  constructor(
    dataDir: string,
    private readonly keys: () => Promise<TrustedKey[]>,
  ) {
    this.root = join(dataDir, 'bundles');
  }

  /**
   * Imports a bundle from a folder or a `.tar`/`.tar.gz` archive. Resolves with the verdict
   * (refusals are values); rejects only with a SiteflashError (`bundle-unreadable`, `aborted`,
   * `bundle-exists` when a different bundle with the same id is stored).
   */
  async importBundle(source: string, opts: BundleVerifyOptions = {}): Promise<BundleImportResult> {
    const st = await stat(source).catch(() => null);
    if (!st) throw new SiteflashError('bundle-unreadable', `Cannot read ${source}: it does not exist.`);
    // Only a folder or a regular file (an archive) is read; a FIFO or a device would hang or never end.
    const kind = st.isDirectory() ? null : nonRegularKind(st);
    if (kind) throw new SiteflashError('bundle-unreadable', `Cannot read ${source}: it is ${kind}, not a bundle folder or archive.`);
    await mkdir(this.root, { recursive: true });
    const staging = await mkdtemp(join(this.root, '.incoming-'));
    try {
      if (st.isDirectory()) await copyBundleFolder(source, staging);
      else await extractBundleTar(source, staging, { signal: opts.signal });
      const verdict = await verifyBundleFolder(staging, await this.keys(), opts);
      if (!verdict.ok) return verdict;
      await pruneUnlisted(staging, new Set(verdict.manifest.components.map((c) => c.file)));
      const target = join(this.root, verdict.manifest.id);
      if (await lstat(target).catch(() => null)) {
        const [a, b] = await Promise.all([readFile(join(target, MANIFEST_FILE)).catch(() => null), readFile(join(staging, MANIFEST_FILE))]);
        if (a && a.equals(b)) return { ...verdict, storedAt: target, alreadyStored: true };
        throw new SiteflashError('bundle-exists', `A different bundle with id "${verdict.manifest.id}" is already stored; remove it first.`);
      }
      await rename(staging, target).catch((err: unknown) => {
        throw new SiteflashError('bundle-exists', `The bundle "${verdict.manifest.id}" could not be stored: ${err instanceof Error ? err.message : String(err)}.`);
      });
      return { ...verdict, storedAt: target };
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  /** Stored bundles, newest first; folders whose manifest cannot be read are skipped. */
  async list(): Promise<StoredBundle[]> {
    const names = await readdir(this.root).catch(() => [] as string[]);
    const out: StoredBundle[] = [];
    for (const id of names.filter((n) => ID_RE.test(n))) {
      const bytes = await readFile(join(this.root, id, MANIFEST_FILE)).catch(() => null);
      if (!bytes || bytes.length > MANIFEST_MAX_BYTES) continue;
      const p = parseManifest(bytes);
      if (!p.ok || p.manifest.id !== id) continue;
      const m = p.manifest;
      out.push({
        id,
        systemVersion: m.systemVersion,
        ...(m.name !== undefined ? { name: m.name } : {}),
        created: m.created,
        components: m.components.map((c) => ({ board: c.board, hwRevisions: c.hwRevisions, version: c.version, file: c.file, size: c.size })),
        path: join(this.root, id),
      });
    }
    return out.sort((a, b) => b.created.localeCompare(a.created));
  }

  /** Re-verifies a stored bundle (signature, every image). Throws `bundle-not-found`. */
  async verify(id: string, opts: BundleVerifyOptions = {}): Promise<BundleVerdict> {
    const dir = await this.folderOf(id);
    return verifyBundleFolder(dir, await this.keys(), opts);
  }

  /** Removes a stored bundle. Throws `bundle-not-found`. */
  async remove(id: string): Promise<void> {
    await rm(await this.folderOf(id), { recursive: true });
  }

  /** The folder of a stored bundle. Throws `bundle-not-found`. */
  async folderOf(id: string): Promise<string> {
    const dir = join(this.root, id);
    if (!ID_RE.test(id) || !(await lstat(dir).catch(() => null))?.isDirectory()) {
      throw new SiteflashError('bundle-not-found', `No stored bundle has the id "${id}".`);
    }
    return dir;
  }
}

/** Copies the manifest, its signature and `images/*` (plain files only) of a bundle folder. */
async function copyBundleFolder(src: string, dest: string): Promise<void> {
  for (const f of [MANIFEST_FILE, SIGNATURE_FILE]) {
    if ((await lstat(join(src, f)).catch(() => null))?.isFile()) await copyFile(join(src, f), join(dest, f));
  }
  const images = await readdir(join(src, 'images'), { withFileTypes: true }).catch(() => []);
  if (images.length) await mkdir(join(dest, 'images'));
  for (const e of images) if (e.isFile()) await copyFile(join(src, 'images', e.name), join(dest, 'images', e.name));
}

async function pruneUnlisted(dir: string, listed: Set<string>): Promise<void> {
  for (const name of await readdir(join(dir, 'images')).catch(() => [] as string[])) {
    if (!listed.has(`images/${name}`)) await rm(join(dir, 'images', name), { force: true });
  }
}
