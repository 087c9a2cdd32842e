import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

/**
 * An image to send, read in chunks where it lies: many devices can share one source and nobody
 * holds a second copy of the image per device.
 */
export interface ImageSource {
  /** Total bytes. */
  readonly size: number;
  /** Bytes `[offset, offset + length)`, clipped to the end. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A source over bytes already in memory; reads are views, not copies. */
export function bytesSource(bytes: Uint8Array): ImageSource {
  return {
    size: bytes.length,
    read: async (offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)),
  };
}

/** A source reading a file by position through one file handle; close it when done. */
export interface FileSource extends ImageSource {
  close(): Promise<void>;
}

/** Opens `path` as a {@link FileSource}. */
export async function openFileSource(path: string): Promise<FileSource> {
  const handle = await open(path, 'r');
  const { size } = await handle.stat();
  return {
    size,
    async read(offset, length) {
      const n = Math.max(0, Math.min(length, size - offset));
      const buffer = new Uint8Array(n);
      let got = 0;
      while (got < n) {
        const { bytesRead } = await handle.read(buffer, got, n - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return buffer.subarray(0, got);
    },
    close: () => handle.close(),
  };
}

/** SHA-256 of the whole source (the upload's `sha`, smp.md §5.1), read in pieces. */
export async function sha256Of(source: ImageSource, pieceSize = 64 * 1024): Promise<Uint8Array> {
  const hash = createHash('sha256');
  for (let at = 0; at < source.size; at += pieceSize) hash.update(await source.read(at, pieceSize));
  return new Uint8Array(hash.digest());
}
