/**
 * Opening a file the user named, refusing anything that is not a regular file before a byte is
 * read. A FIFO opened for reading blocks until a writer comes (forever, in one of Node's few file
 * I/O threads); `/dev/zero` never ends; a socket cannot be read as a file. So the path is opened
 * non-blocking (a FIFO opens at once, a regular file reads as usual) and its kind is checked on the
 * open descriptor, which also closes the gap between a check on the path and the open.
 */
import { constants, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';

/** What a non-regular file is, in words ("a named pipe (FIFO)"), or null for a regular file. */
export function nonRegularKind(st: Stats): string | null {
  if (st.isFile()) return null;
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a plain file';
}

/** Why a path could not be opened, in words, from an `open`/`stat` error. */
export function openFailureReason(err: unknown): string {
  const code = (err as { code?: string } | null)?.code;
  if (code === 'ENOENT') return 'it does not exist';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a folder, not a file';
  return err instanceof Error ? err.message : String(err);
}

/**
 * Opens `path` for reading when it is a regular file. Otherwise throws what `fail` makes of the
 * reason ("it is a named pipe (FIFO), not a regular file", "it does not exist", …).
 */
export async function openRegularFile(path: string, fail: (reason: string) => Error): Promise<FileHandle> {
  let fh: FileHandle;
  try {
    fh = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    // A socket cannot be opened at all (ENXIO); name it rather than the errno.
    const st = await stat(path).catch(() => null);
    const kind = st ? nonRegularKind(st) : null;
    throw fail(kind ? `it is ${kind}, not a regular file` : openFailureReason(err));
  }
  let kind: string | null;
  try {
    kind = nonRegularKind(await fh.stat());
  } catch (err) {
    await fh.close();
    throw fail(openFailureReason(err));
  }
  if (kind) {
    await fh.close();
    throw fail(`it is ${kind}, not a regular file`);
  }
  return fh;
}

/** Largest PEM key file read (a 4096-bit RSA public key is under 1 KiB). */
export const PEM_MAX_BYTES = 64 * 1024;

/** Reads a small regular file whole (a PEM key, a CSV), refusing anything else before reading and more than `maxBytes`. */
export async function readRegularFile(path: string, maxBytes: number, fail: (reason: string) => Error): Promise<Buffer> {
  const fh = await openRegularFile(path, fail);
  try {
    const { size } = await fh.stat();
    if (size > maxBytes) throw fail(`it is ${size} bytes, more than the ${maxBytes} bytes such a file can be`);
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}
