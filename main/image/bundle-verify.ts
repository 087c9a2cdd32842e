/**
 * Verifies a release bundle held in a folder (resources/docs/bundle-format.md): the manifest's
 * detached Ed25519 signature by a trusted release key first, then every listed image against the
 * manifest (size, SHA-256, version, hash, security counter, board tag) and against its own MCUboot
 * signature by a trusted image key. Stops at the first refusal; never throws on bad content.
 */
import { lstat, open } from 'node:fs/promises';
import { join } from 'node:path';
import { SiteflashError } from '../errors';
import { boardOf } from './board-tag';
import { MANIFEST_FILE, MANIFEST_MAX_BYTES, parseManifest, releaseKeyHint, SIGNATURE_FILE, type BundleComponent, type BundleManifest } from './bundle-manifest';
import { verifyEd25519 } from './signature';
import type { TrustedKey } from './trusted-key';
import type { InvalidVerdict, SignerInfo, ValidVerdict } from './types';
import { verifyImageFile } from './verify-file';
import { compareVersions, parseVersion } from './version';

/** Why a bundle is refused. */
export type BundleRefusal =
  | 'bundle-unreadable'
  | 'manifest-invalid'
  | 'manifest-signature'
  | 'unknown-release-key'
  | 'file-missing'
  | 'size-mismatch'
  | 'sha256-mismatch'
  | 'image-invalid'
  | 'image-mismatch';

/** The outcome of verifying a bundle. */
export type BundleVerdict =
  | { ok: true; manifest: BundleManifest; releaseKey: SignerInfo; images: { file: string; verdict: ValidVerdict }[] }
  | { ok: false; reason: BundleRefusal; message: string; file?: string; imageVerdict?: InvalidVerdict };

/** Options of {@link verifyBundleFolder}. */
export interface BundleVerifyOptions {
  signal?: AbortSignal;
  /** Bytes of images checked so far out of the manifest's total. */
  onProgress?: (p: { bytes: number; total: number; file: string }) => void;
}

type Refusal = Extract<BundleVerdict, { ok: false }>;
const refuse = (reason: BundleRefusal, message: string, extra: Partial<Refusal> = {}): Refusal => ({ ok: false, reason, message, ...extra });

/** Reads a small file whole, refusing more than `max` bytes; null when it does not exist. */
async function readSmall(path: string, max: number): Promise<Uint8Array | null> {
  const fh = await open(path, 'r').catch(() => null);
  if (!fh) return null;
  try {
    const size = (await fh.stat()).size;
    if (size > max) throw new SiteflashError('bundle-unreadable', `${path} is larger than ${max} bytes.`);
    const buf = Buffer.alloc(size);
    await fh.read(buf, 0, size, 0);
    return buf;
  } finally {
    await fh.close();
  }
}

/**
 * Checks the manifest signature with the trusted release keys; returns the manifest or a refusal.
 * Exposed for stores that must re-read a manifest they already hold.
 */
export async function verifyManifest(dir: string, keys: readonly TrustedKey[]): Promise<{ ok: true; manifest: BundleManifest; key: TrustedKey } | Refusal> {
  let bytes: Uint8Array | null;
  let sig: Uint8Array | null;
  try {
    bytes = await readSmall(join(dir, MANIFEST_FILE), MANIFEST_MAX_BYTES);
    sig = await readSmall(join(dir, SIGNATURE_FILE), 1024);
  } catch (err) {
    return refuse('bundle-unreadable', err instanceof Error ? err.message : String(err));
  }
  if (!bytes) return refuse('bundle-unreadable', `No ${MANIFEST_FILE} in ${dir}: this is not a release bundle.`);
  if (!sig) return refuse('manifest-signature', `No ${SIGNATURE_FILE} in ${dir}: the bundle is not signed.`);
  const releaseKeys = keys.filter((k) => k.role === 'release' && k.type === 'ed25519');
  const key = sig.length === 64 ? releaseKeys.find((k) => verifyEd25519(k.publicKey, bytes, sig)) : undefined;
  if (!key) {
    const hint = releaseKeyHint(bytes);
    if (hint && !releaseKeys.some((k) => k.fingerprint === hint)) {
      return refuse('unknown-release-key', `The bundle is signed by a release key siteflash does not trust (fingerprint ${hint.slice(0, 16)}…). Import that release key first if it is genuine.`);
    }
    return refuse('manifest-signature', 'The bundle manifest or its signature was altered: the signature matches no trusted release key.');
  }
  const parsed = parseManifest(bytes);
  if (!parsed.ok) return refuse('manifest-invalid', parsed.message);
  if (parsed.manifest.releaseKey !== key.fingerprint) {
    return refuse('manifest-invalid', `The manifest names release key ${parsed.manifest.releaseKey.slice(0, 16)}… but was signed by "${key.name}".`);
  }
  return { ok: true, manifest: parsed.manifest, key };
}

/** Verifies the bundle in `dir` with the trusted keys (both roles). */
export async function verifyBundleFolder(dir: string, keys: readonly TrustedKey[], opts: BundleVerifyOptions = {}): Promise<BundleVerdict> {
  const m = await verifyManifest(dir, keys);
  if (!m.ok) return m;
  const { manifest, key } = m;
  const total = manifest.components.reduce((n, c) => n + c.size, 0);
  let done = 0;
  const images: { file: string; verdict: ValidVerdict }[] = [];
  for (const c of manifest.components) {
    const r = await verifyComponent(dir, c, keys, opts, (bytes) => opts.onProgress?.({ bytes: done + bytes, total, file: c.file }));
    if (!r.ok) return r;
    images.push({ file: c.file, verdict: r.verdict });
    done += c.size;
  }
  return { ok: true, manifest, releaseKey: { name: key.name, type: key.type, fingerprint: key.fingerprint }, images };
}

async function verifyComponent(
  dir: string,
  c: BundleComponent,
  keys: readonly TrustedKey[],
  opts: BundleVerifyOptions,
  progress: (bytes: number) => void,
): Promise<{ ok: true; verdict: ValidVerdict } | Refusal> {
  const path = join(dir, c.file);
  const st = await lstat(path).catch(() => null);
  if (!st || !st.isFile()) return refuse('file-missing', `The bundle lists ${c.file} but it is missing.`, { file: c.file });
  if (st.size !== c.size) return refuse('size-mismatch', `${c.file} is ${st.size} bytes; the manifest says ${c.size}.`, { file: c.file });
  let v;
  try {
    v = await verifyImageFile(path, keys, { signal: opts.signal, onProgress: (p) => progress(p.bytes) });
  } catch (err) {
    if (err instanceof SiteflashError && err.kind === 'aborted') throw err;
    return refuse('bundle-unreadable', err instanceof Error ? err.message : String(err), { file: c.file });
  }
  if (v.fileSha256 !== c.sha256) return refuse('sha256-mismatch', `${c.file} does not match the manifest's SHA-256: the file was altered or damaged.`, { file: c.file });
  if (!v.valid) return refuse('image-invalid', `${c.file}: ${v.message}`, { file: c.file, imageVerdict: v });
  const img = v.image;
  const want = parseVersion(c.version);
  const problems = [
    want && compareVersions(want, img.versionParts) !== 0 ? `the image is version ${img.version}, the manifest says ${c.version}` : null,
    img.hash !== c.imageHash ? 'the image hash differs from the manifest' : null,
    (img.securityCounter ?? undefined) !== c.securityCounter ? `the image's security counter is ${img.securityCounter ?? 'absent'}, the manifest says ${c.securityCounter ?? 'absent'}` : null,
    boardOf(img) !== null && boardOf(img) !== c.board ? `the image is tagged for board ${boardOf(img)}, the manifest says ${c.board}` : null,
  ].filter((p): p is string => p !== null);
  if (problems.length) return refuse('image-mismatch', `${c.file}: ${problems.join('; ')}.`, { file: c.file });
  return { ok: true, verdict: v };
}
