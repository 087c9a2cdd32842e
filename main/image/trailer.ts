/**
 * The swap trailer at the end of a padded image file (mcuboot-image.md §5). Pure.
 */
import { TRAILER_MAGIC, TRAILER_MAGIC_ALIGN_TAIL, TRAILER_TAIL_SIZE, hex } from './format';
import type { TrailerInfo } from './types';

const equalTail = (bytes: Uint8Array, tail: Uint8Array) =>
  bytes.length >= tail.length && tail.every((b, i) => bytes[bytes.length - tail.length + i] === b);

/**
 * Reads the trailer from the last bytes of the file (`tail`, at most {@link TRAILER_TAIL_SIZE}
 * needed) given how many bytes follow the unprotected TLV area. Null when nothing follows.
 * Flag fields are read only when they lie after the TLVs (BOOT_MAX_ALIGN 8 layout: image_ok at
 * −24, copy_done at −32, swap_info at −40).
 */
export function parseTrailer(tail: Uint8Array, bytesAfterTlvs: number): TrailerInfo | null {
  if (bytesAfterTlvs <= 0) return null;
  const usable = tail.subarray(Math.max(0, tail.length - Math.min(bytesAfterTlvs, TRAILER_TAIL_SIZE)));
  const magicBytes = usable.subarray(Math.max(0, usable.length - 16));
  const info: TrailerInfo = { bytesAfterTlvs, magic: 'none', magicHex: hex(magicBytes), imageOk: null, copyDone: null, swapInfo: null };
  if (usable.length >= 16 && equalTail(usable, TRAILER_MAGIC)) {
    info.magic = 'good';
    const n = usable.length;
    if (n >= 24) info.imageOk = usable[n - 24] ?? null;
    if (n >= 32) info.copyDone = usable[n - 32] ?? null;
    if (n >= 40) info.swapInfo = usable[n - 40] ?? null;
  } else if (usable.length >= 16 && equalTail(usable, TRAILER_MAGIC_ALIGN_TAIL)) {
    info.magic = 'good-align';
  }
  return info;
}
