/**
 * Reads the three small windows of an image file that parsing needs (header, TLV region, last
 * bytes) with positional reads, so that nothing the size of the image is ever held.
 */
import type { FileHandle } from 'node:fs/promises';
import { HEADER_STRUCT_SIZE, TRAILER_TAIL_SIZE } from './format';
import { parseHeader } from './header';
import type { ImageWindows } from './parse';
import { TLV_REGION_MAX } from './tlv';

/** The windows plus where the TLV region starts in the file. */
export interface ReadWindows extends ImageWindows {
  regionStart: number;
  regionBytes: Uint8Array;
}

/** Reads up to `length` bytes at `position` (fewer at the end of the file). */
export async function readAt(fh: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(Math.max(0, length));
  let got = 0;
  while (got < out.length) {
    const { bytesRead } = await fh.read(out, got, out.length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return out.subarray(0, got);
}

/** Reads the header, the TLV region after the body and the file's last bytes. */
export async function readImageWindows(fh: FileHandle, fileSize: number): Promise<ReadWindows> {
  const head = await readAt(fh, 0, Math.min(HEADER_STRUCT_SIZE, fileSize));
  const h = parseHeader(head);
  const regionStart = h.status === 'ok' ? h.value.hdrSize + h.value.imgSize : fileSize;
  const regionBytes = regionStart < fileSize ? await readAt(fh, regionStart, Math.min(TLV_REGION_MAX, fileSize - regionStart)) : new Uint8Array(0);
  const tail = await readAt(fh, Math.max(0, fileSize - TRAILER_TAIL_SIZE), Math.min(TRAILER_TAIL_SIZE, fileSize));
  return { head, region: () => regionBytes, regionStart, regionBytes, tail, fileSize };
}
