import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { BundleInfo, ImageCheck, TrustedKeyInfo } from '../../preload/api';
import { writeDemoBundle } from '../demo/demo-bundle';
import { DEMO_BUNDLE, DEMO_KEY_PREFIX } from '../demo/demo-catalog';
import { DEMO_KEY_WARNING, demoKeysFor, isDemoKey } from '../demo/demo-keys';
import { SiteflashError } from '../errors';
import { BundleStore, keyStoreFor, verifyImageFile, type BundleVerdict, type KeyStore, type StoredBundle } from '../image';
import type { Logger } from '../log/logger';

/** Largest file the renderer may hand over for import (bundles and images), bytes. */
export const MAX_IMPORT_BYTES = 512 * 1024 * 1024;

/**
 * Release bundles and trusted keys for the app: imports (from a path, from bytes the renderer read
 * from a file the technician picked, or the demo release), lists with verification state, and
 * re-verification. The verdicts come from main/image; this only shapes them for the contract.
 */
export class ReleasesService {
  readonly keys: KeyStore;
  readonly bundles: BundleStore;
  /**
   * The same bundle folder, verified with the trusted keys plus this data folder's demo keys: used
   * for the demo release only, so a demo key never makes any other bundle valid.
   */
  private readonly demoBundles: BundleStore;
  /** Last verification result per bundle id, from import or "verify again", since start. */
  private readonly checked = new Map<string, { at: string; verdict: BundleVerdict }>();

  constructor(
    private readonly dataDir: string,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.keys = keyStoreFor(dataDir);
    this.bundles = new BundleStore(dataDir, () => this.keys.keys());
    this.demoBundles = new BundleStore(dataDir, async () => [...(await this.keys.keys()), ...(await demoKeysFor(dataDir)).trusted]);
  }

  /** The store that verifies bundle `id`: the demo release with the demo keys, anything else without. */
  storeFor(id: string): BundleStore {
    return id === DEMO_BUNDLE.id ? this.demoBundles : this.bundles;
  }

  async listKeys(): Promise<TrustedKeyInfo[]> {
    return (await this.keys.list()).map((k) => ({ ...k, demo: k.name.startsWith(DEMO_KEY_PREFIX) }));
  }

  async importKey(name: string, role: 'image' | 'release', pem: string): Promise<TrustedKeyInfo> {
    const key = await this.keys.importKey(pem, { name, role });
    this.log.info(`trusted ${role} key imported: ${key.name} (${key.fingerprint})`);
    return { name: key.name, type: key.type, role: key.role, source: key.source, fingerprint: key.fingerprint, demo: false };
  }

  async list(): Promise<BundleInfo[]> {
    return (await this.bundles.list()).map((b) => this.info(b));
  }

  /** Imports from a folder or archive on this computer. Refusals throw `bundle-refused` with the reason. */
  async importPath(path: string): Promise<BundleInfo> {
    const result = await this.bundles.importBundle(path);
    if (!result.ok) {
      this.log.warn(`bundle refused (${result.reason}): ${result.message}`);
      throw new SiteflashError('bundle-refused', result.message, true, { reason: result.reason, ...(result.file ? { file: result.file } : {}) });
    }
    this.checked.set(result.manifest.id, { at: this.now().toISOString(), verdict: result });
    this.log.info(`bundle ${result.manifest.id} (${result.manifest.systemVersion}) imported and verified${result.alreadyStored ? ' (already stored)' : ''}`);
    return this.byId(result.manifest.id);
  }

  /** Imports an archive the renderer read from a file the technician picked. */
  async importBytes(fileName: string, data: Uint8Array): Promise<BundleInfo> {
    return this.withTempFile(fileName, data, (path) => this.importPath(path));
  }

  /**
   * Builds the demo release, signed at run time with this data folder's demo keys (made on first
   * use), and imports it like any other, the demo keys trusted for it alone.
   */
  async importDemo(): Promise<BundleInfo> {
    const dir = await mkdtemp(join(tmpdir(), 'siteflash-demo-bundle-'));
    try {
      await writeDemoBundle(dir, await demoKeysFor(this.dataDir));
      const result = await this.demoBundles.importBundle(dir);
      if (!result.ok) throw new SiteflashError('bundle-refused', result.message, true, { reason: result.reason });
      if (result.manifest.id !== DEMO_BUNDLE.id) throw new SiteflashError('internal', `The demo release came out as ${result.manifest.id}.`, false);
      this.checked.set(result.manifest.id, { at: this.now().toISOString(), verdict: result });
      this.log.info(`demo release ${result.manifest.id} imported and verified with this data folder's demo key (${DEMO_KEY_WARNING})`);
      return await this.byId(result.manifest.id);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Verifies a stored bundle again: manifest signature and every image. */
  async verify(id: string): Promise<BundleInfo> {
    const verdict = await this.storeFor(id).verify(id);
    this.checked.set(id, { at: this.now().toISOString(), verdict });
    if (!verdict.ok) this.log.warn(`stored bundle ${id} no longer verifies (${verdict.reason}): ${verdict.message}`);
    return this.byId(id);
  }

  async remove(id: string): Promise<void> {
    await this.bundles.remove(id);
    this.checked.delete(id);
    this.log.info(`bundle ${id} removed`);
  }

  /** Verifies one image file the technician picked, with the trusted image keys. */
  async checkImage(fileName: string, data: Uint8Array): Promise<ImageCheck> {
    return this.withTempFile(fileName, data, (path) => this.checkImageAt(fileName, path));
  }

  /** Verifies the image file at `path` (named `fileName` for the technician), with the trusted image keys. */
  async checkImageAt(fileName: string, path: string): Promise<ImageCheck> {
    const v = await verifyImageFile(path, await this.keys.keys('image'));
    const version = v.image?.version;
    return v.valid
      ? { valid: true, fileName, size: v.fileSize, sha256: v.fileSha256, version, signer: v.signer.name }
      : { valid: false, fileName, size: v.fileSize, category: v.category, message: v.message, ...(v.fileSha256 ? { sha256: v.fileSha256 } : {}), ...(version ? { version } : {}) };
  }

  private async byId(id: string): Promise<BundleInfo> {
    const stored = (await this.bundles.list()).find((b) => b.id === id);
    if (!stored) throw new SiteflashError('bundle-not-found', `No stored bundle has the id "${id}".`);
    return this.info(stored);
  }

  private info(b: StoredBundle): BundleInfo {
    const check = this.checked.get(b.id);
    const verdict = check?.verdict;
    return {
      id: b.id,
      systemVersion: b.systemVersion,
      name: b.name ?? b.systemVersion,
      created: b.created,
      demo: verdict?.ok ? isDemoKey(verdict.releaseKey) : b.id === DEMO_BUNDLE.id,
      // Only verified bundles are ever stored; "stored" means verified at import, before this start.
      verification: !check ? { state: 'verified-at-import' } : verdict?.ok ? { state: 'verified', at: check.at, releaseKey: isDemoKey(verdict.releaseKey) ? `${verdict.releaseKey.name} (${DEMO_KEY_WARNING})` : verdict.releaseKey.name } : { state: 'failed', at: check.at, reason: verdict!.reason, message: verdict!.message },
      components: b.components.map((c) => ({ board: c.board, hwRevisions: c.hwRevisions, version: c.version, file: basename(c.file), size: c.size })),
    };
  }

  private async withTempFile<T>(fileName: string, data: Uint8Array, run: (path: string) => Promise<T>): Promise<T> {
    if (data.length > MAX_IMPORT_BYTES) throw new SiteflashError('file-too-large', `${fileName} is larger than ${MAX_IMPORT_BYTES >> 20} MiB.`);
    const dir = await mkdtemp(join(tmpdir(), 'siteflash-import-'));
    const path = join(dir, basename(fileName).replace(/[^A-Za-z0-9._-]/g, '_') || 'upload');
    try {
      await writeFile(path, data);
      return await run(path);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
