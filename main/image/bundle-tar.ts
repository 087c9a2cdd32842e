/**
 * Unpacks a release bundle archive (tar, optionally gzip-compressed) into a folder with
 * tar-stream. Only `manifest.json`, `manifest.sig` and `images/<name>` are taken, optionally under
 * one top-level folder; links, devices, absolute paths and `..` are refused, and sizes are capped.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar-stream';
import { SiteflashError } from '../errors';
import { MANIFEST_FILE, SIGNATURE_FILE } from './bundle-manifest';

/** Largest archive content unpacked (bytes); a bundle is a few images. */
export const DEFAULT_MAX_UNPACKED = 2 * 1024 * 1024 * 1024;
const IMAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** True when the file starts with the gzip magic (1f 8b). */
export async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(2);
    await fh.read(b, 0, 2, 0);
    return b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    await fh.close();
  }
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
  const gz = await isGzip(archive);
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
      if (header.type === 'directory') return stream.resume(), stream.on('end', () => next());
      if (header.type !== 'file' && header.type !== 'contiguous-file') {
        throw new SiteflashError('bundle-unreadable', `The archive holds "${header.name}", a ${header.type}; bundles hold plain files only.`);
      }
      const where = bundlePathOf(header.name, prefix);
      if (!where) return stream.resume(), stream.on('end', () => next());
      if (seen.has(where)) throw new SiteflashError('bundle-unreadable', `The archive holds ${where} twice.`);
      seen.add(where);
      total += header.size ?? 0;
      if (total > max) throw new SiteflashError('bundle-unreadable', `The archive unpacks to more than ${max} bytes.`);
      const target = join(dest, where);
      mkdir(join(target, '..'), { recursive: true })
        .then(() => pipeline(stream, createWriteStream(target, { flags: 'wx' })))
        .then(() => next(), fail);
    } catch (err) {
      fail(err);
    }
  });
  const source = createReadStream(archive);
  try {
    await (gz ? pipeline(source, createGunzip(), extract, { signal: opts.signal }) : pipeline(source, extract, { signal: opts.signal }));
  } catch (err) {
    if (opts.signal?.aborted) throw new SiteflashError('aborted', 'Bundle import was cancelled.');
    if (err instanceof SiteflashError) throw err;
    throw new SiteflashError('bundle-unreadable', `The archive ${archive} could not be unpacked: ${err instanceof Error ? err.message : String(err)}.`);
  }
}
