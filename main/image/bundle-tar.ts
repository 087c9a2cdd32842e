/**
 * Unpacks a release bundle archive (tar, optionally gzip-compressed) into a folder with
 * tar-stream. Only `manifest.json`, `manifest.sig` and `images/<name>` are taken, optionally under
 * one top-level folder; links, devices, absolute paths and `..` are refused, and the bytes
 * actually inflated are capped: {@link DEFAULT_MAX_UNPACKED} until the manifest is read, then what
 * the manifest declares plus {@link INFLATE_SLACK}; and past {@link RATIO_FLOOR}, a gzip archive
 * may not inflate more than {@link MAX_RATIO} times the compressed bytes read so far. A gzip bomb
 * ends within seconds, with a clear error.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar-stream';
import { SiteflashError } from '../errors';
import { MANIFEST_FILE, MANIFEST_MAX_BYTES, parseManifest, SIGNATURE_FILE } from './bundle-manifest';
import { openRegularFile } from './regular-file';

/** Most bytes an archive may inflate to (tar headers and skipped entries included) before its manifest is read. */
export const DEFAULT_MAX_UNPACKED = 1024 * 1024 * 1024;
/** Most a gzip archive may inflate per compressed byte (firmware compresses a few times; zeros a thousand). */
export const MAX_RATIO = 100;
/** Inflated bytes below which the ratio is not checked (a small, very compressible bundle is fine). */
export const RATIO_FLOOR = 64 * 1024 * 1024;
/** Bytes allowed beyond what the manifest declares (tar headers, padding, ignored entries). */
export const INFLATE_SLACK = 16 * 1024 * 1024;
const IMAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** True when the file starts with the gzip magic (1f 8b). */
export async function isGzip(fh: FileHandle): Promise<boolean> {
  const b = Buffer.alloc(2);
  await fh.read(b, 0, 2, 0);
  return b[0] === 0x1f && b[1] === 0x8b;
}

/** Counts the bytes that pass, into `count`. */
function counter(count: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      count.bytes += chunk.length;
      done(null, chunk);
    },
  });
}

/**
 * Fails once the inflated bytes exceed `limit()` (read on each chunk, so it can tighten), or, when
 * `compressed` is given, pass {@link RATIO_FLOOR} and {@link MAX_RATIO} times the compressed bytes.
 */
function inflateGuard(limit: () => number, compressed?: { bytes: number }): Transform {
  let total = 0;
  const refuse = (why: string) => new SiteflashError('bundle-unreadable', `The archive ${why}, more than a release bundle can; it is not one (or it is damaged). Nothing was stored.`);
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      total += chunk.length;
      const max = limit();
      if (total > max) return done(refuse(`inflates to more than ${max} bytes`));
      if (compressed && total > RATIO_FLOOR && total > compressed.bytes * MAX_RATIO) {
        return done(refuse(`inflates more than ${MAX_RATIO} times its compressed size (past ${RATIO_FLOOR} bytes)`));
      }
      done(null, chunk);
    },
  });
}

/** Maps an archive entry name to its place in the bundle, or null to skip it. Throws on unsafe names. */
export function bundlePathOf(name: string, prefix: { value: string | null }): string | null {
  const clean = name.replace(/^\.\//, '').replace(/\/+$/, '');
  const parts = clean.split('/');
  if (clean.startsWith('/') || name.includes('\\') || parts.some((p) => p === '..' || p === '')) {
    throw new SiteflashError('bundle-unreadable', `The archive holds an unsafe path "${name}".`);
  }
  let rest = parts;
  const top = parts[0] ?? '';
  if (top !== MANIFEST_FILE && top !== SIGNATURE_FILE && top !== 'images') {
    if (prefix.value === null) prefix.value = top;
    if (top !== prefix.value) return null;
    rest = parts.slice(1);
  }
  const joined = rest.join('/');
  if (joined === MANIFEST_FILE || joined === SIGNATURE_FILE) return joined;
  if (rest.length === 2 && rest[0] === 'images' && IMAGE_NAME.test(rest[1] ?? '')) return joined;
  return null;
}

/** Unpacks `archive` into the existing empty folder `dest`. Throws SiteflashError `bundle-unreadable` or `aborted`. */
export async function extractBundleTar(archive: string, dest: string, opts: { signal?: AbortSignal; maxBytes?: number } = {}): Promise<void> {
  const max = opts.maxBytes ?? DEFAULT_MAX_UNPACKED;
  // A FIFO, /dev/zero or a socket is refused before a byte is read.
  const fh = await openRegularFile(archive, (why) => new SiteflashError('bundle-unreadable', `Cannot read ${archive}: ${why}.`));
  let gz: boolean;
  try {
    gz = await isGzip(fh);
  } catch (err) {
    await fh.close();
    throw new SiteflashError('bundle-unreadable', `Cannot read ${archive}: ${err instanceof Error ? err.message : String(err)}.`);
  }
  let limit = max;
  const extract = tar.extract();
  const prefix = { value: null as string | null };
  const seen = new Set<string>();
  let total = 0;
  extract.on('entry', (header, stream, next) => {
    const fail = (err: unknown) => {
      // The entry stream is destroyed with the archive; its own error is the same failure.
      stream.on('error', () => undefined);
      stream.resume();
      next(err instanceof Error ? err : new Error(String(err)));
    };
    try {
      // A skipped entry's stream is destroyed with the archive when it fails; that error is the archive's.
      stream.on('error', () => undefined);
      if (header.type === 'directory') return stream.resume(), stream.on('end', () => next());
      if (header.type !== 'file' && header.type !== 'contiguous-file') {
        throw new SiteflashError('bundle-unreadable', `The archive holds "${header.name}", a ${header.type}; bundles hold plain files only.`);
      }
      const where = bundlePathOf(header.name, prefix);
      if (!where) return stream.resume(), stream.on('end', () => next());
      if (seen.has(where)) throw new SiteflashError('bundle-unreadable', `The archive holds ${where} twice.`);
      seen.add(where);
      total += header.size ?? 0;
      if (total > limit) throw new SiteflashError('bundle-unreadable', `The archive holds more than ${limit} bytes of bundle files; it is not a release bundle.`);
      const target = join(dest, where);
      mkdir(join(target, '..'), { recursive: true })
        .then(() => pipeline(stream, createWriteStream(target, { flags: 'wx' })))
        .then(async () => {
          if (where === MANIFEST_FILE && (header.size ?? 0) <= MANIFEST_MAX_BYTES) limit = Math.min(limit, declaredLimit(await readFile(target)));
        })
        .then(() => next(), fail);
    } catch (err) {
      fail(err);
    }
  });
  const source = fh.createReadStream({ start: 0 });
  const compressed = { bytes: 0 };
  try {
    await (gz
      ? pipeline(source, counter(compressed), createGunzip(), inflateGuard(() => limit, compressed), extract, { signal: opts.signal })
      : pipeline(source, inflateGuard(() => limit), extract, { signal: opts.signal }));
  } catch (err) {
    if (opts.signal?.aborted) throw new SiteflashError('aborted', 'Bundle import was cancelled.');
    if (err instanceof SiteflashError) throw err;
    throw new SiteflashError('bundle-unreadable', `The archive ${archive} could not be unpacked: ${err instanceof Error ? err.message : String(err)}.`);
  }
}

/** What an archive holding the manifest's files may inflate to: their tar blocks plus slack. */
function declaredLimit(manifestBytes: Uint8Array): number {
  const parsed = parseManifest(manifestBytes);
  if (!parsed.ok) return Infinity;
  const block = (n: number) => 512 + Math.ceil(n / 512) * 512;
  const files = parsed.manifest.components.reduce((sum, c) => sum + block(c.size), 0);
  return files + block(manifestBytes.length) + block(64) + INFLATE_SLACK;
}
