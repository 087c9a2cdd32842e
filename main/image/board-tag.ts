/**
 * siteflash's board tag: a custom protected TLV (mcuboot-image.md §3.1, vendor range) whose value
 * is the UTF-8 text `board=<name>`, as imgtool writes it with `--custom-tlv 0x01a5 board=<name>`
 * (vector s05). Being protected, it is covered by the image hash and signature.
 */
import type { ImageSummary } from './types';

/** Custom TLV tag of the board tag. */
export const BOARD_TLV = 0x01a5;
const KEY = '0x01a5';
const PREFIX = 'board=';

/** The TLV value for a board name. */
export function boardTagValue(board: string): Uint8Array {
  return new TextEncoder().encode(PREFIX + board);
}

/** The board an image is tagged for, or null when it carries no (readable) board tag. */
export function boardOf(image: Pick<ImageSummary, 'customTlvs'>): string | null {
  const value = image.customTlvs[KEY];
  if (!value) return null;
  const text = Buffer.from(value, 'hex').toString('utf8');
  return text.startsWith(PREFIX) ? text.slice(PREFIX.length) : null;
}
