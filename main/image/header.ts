/**
 * The 32-byte MCUboot image header (mcuboot-image.md §2). Pure: bytes in, value out.
 */
import { FLAGS_KNOWN, HEADER_STRUCT_SIZE, IMAGE_FLAGS, IMAGE_MAGIC, IMAGE_MAGIC_V1, u16, u32 } from './format';
import type { ImageVersion, ParseResult } from './types';

/** The header fields (§2). */
export interface ImageHeader {
  magic: number;
  loadAddr: number;
  hdrSize: number;
  protectTlvSize: number;
  imgSize: number;
  flags: number;
  version: ImageVersion;
}

/**
 * Parses the header from the first bytes of an image. `incomplete` when fewer than 32 bytes are
 * given; `bad-magic` for the V1 magic, erased flash or anything else; `malformed-header` when
 * `hdr_size` is below 32.
 */
export function parseHeader(bytes: Uint8Array): ParseResult<ImageHeader> {
  if (bytes.length < HEADER_STRUCT_SIZE) return { status: 'incomplete', needed: HEADER_STRUCT_SIZE };
  const magic = u32(bytes, 0);
  if (magic !== IMAGE_MAGIC) {
    const what =
      magic === IMAGE_MAGIC_V1
        ? 'the obsolete MCUboot V1 image magic'
        : magic === 0xffffffff
          ? 'erased flash (0xffffffff)'
          : `0x${magic.toString(16).padStart(8, '0')}`;
    return { status: 'invalid', category: 'bad-magic', message: `Not an MCUboot image: the file starts with ${what} instead of the image magic 0x96f3b83d.` };
  }
  const header: ImageHeader = {
    magic,
    loadAddr: u32(bytes, 4),
    hdrSize: u16(bytes, 8),
    protectTlvSize: u16(bytes, 10),
    imgSize: u32(bytes, 12),
    flags: u32(bytes, 16),
    version: { major: bytes[20] ?? 0, minor: bytes[21] ?? 0, revision: u16(bytes, 22), build: u32(bytes, 24) },
  };
  if (header.hdrSize < HEADER_STRUCT_SIZE) {
    return { status: 'invalid', category: 'malformed-header', message: `The image header size is ${header.hdrSize} bytes; MCUboot needs at least ${HEADER_STRUCT_SIZE}.` };
  }
  return { status: 'ok', value: header };
}

/** Names of the known flag bits set in `flags`. */
export function flagNames(flags: number): string[] {
  return Object.entries(IMAGE_FLAGS)
    .filter(([, bit]) => (flags & bit) !== 0)
    .map(([name]) => name);
}

/** Flag bits siteflash does not know. */
export function unknownFlags(flags: number): number {
  return (flags & ~FLAGS_KNOWN) >>> 0;
}
