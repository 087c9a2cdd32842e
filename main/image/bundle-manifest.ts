/**
 * The release bundle manifest (`manifest.json`), format `siteflash-bundle/1`, documented in
 * resources/docs/bundle-format.md. Strict: an unknown field or rule is refused rather than
 * ignored, because a rule siteflash skipped could let a wrong image through.
 */
import { z } from 'zod';
import { parseVersion } from './version';

/** The `format` value of this manifest version. */
export const BUNDLE_FORMAT = 'siteflash-bundle/1';
/** File names inside a bundle. */
export const MANIFEST_FILE = 'manifest.json';
/** The detached Ed25519 signature of manifest.json. */
export const SIGNATURE_FILE = 'manifest.sig';
/** Largest manifest read (bytes). */
export const MANIFEST_MAX_BYTES = 1024 * 1024;

const version = z.string().refine((s) => parseVersion(s) !== null, 'not a version (major.minor.revision+build)');
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'lower-case hex SHA-256');

/** One image of a bundle. */
export const BundleComponentSchema = z.strictObject({
  /** Board name the image is built for (matches the device's and the image's board tag). */
  board: z.string().min(1).max(64),
  /** Hardware revisions the image runs on. */
  hwRevisions: z.array(z.string().min(1).max(32)).min(1).max(64),
  /** Image version (must equal the image header's). */
  version,
  /** Path inside the bundle: `images/<name>`. */
  file: z.string().regex(/^images\/[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'images/<name> with letters, digits, . _ -'),
  size: z.number().int().min(0).max(0xffffffff),
  /** SHA-256 of the whole file (SMP upload's `sha`). */
  sha256,
  /** The image's hash TLV (what the device reports as `hash`). */
  imageHash: z.string().regex(/^[0-9a-f]{64}([0-9a-f]{32}){0,2}$/),
  /** The image's SEC_CNT TLV; absent when the image has none. */
  securityCounter: z.number().int().min(0).max(0xffffffff).optional(),
  rules: z
    .strictObject({
      /** Devices running an older version must first install an intermediate release. */
      minUpgradeFrom: version.optional(),
    })
    .optional(),
});

/** The whole manifest. */
export const BundleManifestSchema = z.strictObject({
  format: z.literal(BUNDLE_FORMAT),
  /** Folder name of the stored bundle. */
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lower-case letters, digits, . _ - (up to 64)'),
  /** The system version this bundle installs, e.g. `2026.11.0`. */
  systemVersion: z.string().min(1).max(64),
  name: z.string().max(200).optional(),
  created: z.iso.datetime(),
  /** Fingerprint of the release key that signed `manifest.sig` (a hint; the signature decides). */
  releaseKey: sha256,
  components: z.array(BundleComponentSchema).min(1).max(256),
});

/** One component (image) of a validated manifest. */
export type BundleComponent = z.infer<typeof BundleComponentSchema>;
/** A validated manifest. */
export type BundleManifest = z.infer<typeof BundleManifestSchema>;

/** Parses and validates manifest bytes; an error message a technician can read on failure. */
export function parseManifest(bytes: Uint8Array): { ok: true; manifest: BundleManifest } | { ok: false; message: string } {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return { ok: false, message: 'manifest.json is not valid JSON.' };
  }
  const r = BundleManifestSchema.safeParse(json);
  if (!r.success) {
    const first = r.error.issues[0];
    return { ok: false, message: `manifest.json is not a ${BUNDLE_FORMAT} manifest: ${first ? `${first.path.join('.') || '(top)'}: ${first.message}` : 'invalid'}.` };
  }
  const files = new Set<string>();
  for (const c of r.data.components) {
    if (files.has(c.file)) return { ok: false, message: `manifest.json lists ${c.file} twice.` };
    files.add(c.file);
  }
  return { ok: true, manifest: r.data };
}

/** The `releaseKey` hint of a manifest that may be invalid, for error messages only. */
export function releaseKeyHint(bytes: Uint8Array): string | null {
  try {
    const v = (JSON.parse(Buffer.from(bytes).toString('utf8')) as { releaseKey?: unknown }).releaseKey;
    return typeof v === 'string' && /^[0-9a-f]{64}$/.test(v) ? v : null;
  } catch {
    return null;
  }
}
