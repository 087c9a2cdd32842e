/**
 * Verifies an image file from disk in one streaming pass (mcuboot-image.md §6), with memory that
 * does not grow with the image: the header, the TLV region (at most 128 KiB) and the last 48 bytes
 * are read first, then the whole file is read once in chunks through one reused buffer while
 * hashing. Only pure-Ed25519 images keep their signed region in memory (the signature covers the
 * bytes themselves), up to `maxPureBytes`.
 */
import type { FileHandle } from 'node:fs/promises';
import { SiteflashError } from '../errors';
import { readImageWindows } from './file-windows';
import { ImageHasher } from './hasher';
import { parseImageWindows } from './parse';
import { openRegularFile } from './regular-file';
import type { TrustedKey } from './trusted-key';
import type { Verdict } from './types';
import { decideVerdict, prepareVerification, type VerifyOptions } from './verify';

/** Options of {@link verifyImageFile}. */
export interface VerifyFileOptions extends VerifyOptions {
  signal?: AbortSignal;
  /** Called after each chunk with bytes read so far and the file size. */
  onProgress?: (progress: { bytes: number; total: number }) => void;
  /** Read size; default 1 MiB. */
  chunkSize?: number;
}

/** Default read size of the hash pass. */
export const DEFAULT_CHUNK_SIZE = 1024 * 1024;

/**
 * Verifies the image at `path` against the trusted image keys. Resolves to a verdict for any
 * content; rejects only with a {@link SiteflashError}: `image-unreadable` (missing file,
 * permission, not a regular file), `image-changed` (the file changed during the pass) or `aborted`.
 */
export async function verifyImageFile(path: string, keys: readonly TrustedKey[], opts: VerifyFileOptions = {}): Promise<Verdict> {
  // Anything but a regular file (a FIFO, /dev/zero, a socket) is refused before a byte is read.
  const fh: FileHandle = await openRegularFile(path, (why) => new SiteflashError('image-unreadable', `Cannot read the image file ${path}: ${why}.`));
  try {
    const size = (await fh.stat()).size;
    const w = await readImageWindows(fh, size);
    const parsed = parseImageWindows(w);
    const prep = prepareVerification(parsed, keys, opts);

    const hasher = new ImageHasher(prep.region, prep.sinks);
    const buf = Buffer.allocUnsafe(opts.chunkSize ?? DEFAULT_CHUNK_SIZE);
    const windows = [
      { start: 0, bytes: w.head },
      { start: w.regionStart, bytes: w.regionBytes },
    ];
    let pos = 0;
    while (pos < size) {
      if (opts.signal?.aborted) throw new SiteflashError('aborted', 'Image verification was cancelled.');
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - pos), pos);
      if (bytesRead === 0) throw changed(path);
      const chunk = buf.subarray(0, bytesRead);
      for (const win of windows) if (!sameBytes(chunk, pos, win.start, win.bytes)) throw changed(path);
      hasher.update(chunk);
      pos += bytesRead;
      opts.onProgress?.({ bytes: pos, total: size });
    }
    return decideVerdict(prep, hasher.finish());
  } catch (err) {
    if (err instanceof SiteflashError) throw err;
    throw unreadable(path, err);
  } finally {
    await fh.close();
  }
}

/** True when the overlap of `chunk` (at file offset `pos`) and the window equals the window's bytes. */
function sameBytes(chunk: Uint8Array, pos: number, start: number, bytes: Uint8Array): boolean {
  const from = Math.max(pos, start);
  const to = Math.min(pos + chunk.length, start + bytes.length);
  if (from >= to) return true;
  return Buffer.compare(chunk.subarray(from - pos, to - pos), bytes.subarray(from - start, to - start)) === 0;
}

function unreadable(path: string, err: unknown): SiteflashError {
  const code = (err as { code?: string } | null)?.code;
  const why = code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' ? 'permission denied' : err instanceof Error ? err.message : String(err);
  return new SiteflashError('image-unreadable', `Cannot read the image file ${path}: ${why}.`);
}

function changed(path: string): SiteflashError {
  return new SiteflashError('image-changed', `The image file ${path} changed while it was being verified; verify it again.`);
}
