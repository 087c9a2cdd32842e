/**
 * Whole-image parsing (mcuboot-image.md §6 steps 1–5): header, both TLV areas, their meaning and
 * the trailer. Pure; works from three windows of the file so that a streaming reader never needs
 * more than the header, the TLV region and the last bytes in memory.
 */
import { HEADER_STRUCT_SIZE, TRAILER_TAIL_SIZE, hex } from './format';
import { flagNames, parseHeader, unknownFlags, type ImageHeader } from './header';
import { customTlvMap, interpretTlvs, parseTlvAreas, TLV_REGION_MAX, type TlvAreas, type TlvFacts } from './tlv';
import { parseTrailer } from './trailer';
import type { ImageSummary, ParseResult, TrailerInfo } from './types';
import { formatVersion } from './version';

/** A parsed image: every offset checked, nothing hashed or verified yet. */
export interface ParsedImage {
  header: ImageHeader;
  areas: TlvAreas;
  facts: TlvFacts;
  fileSize: number;
  trailer: TrailerInfo | null;
}

/** The file windows {@link parseImageWindows} reads. */
export interface ImageWindows {
  /** The file's first bytes (at least 32, or the whole file when shorter). */
  head: Uint8Array;
  /** Bytes from `hdr_size + img_size` on: up to {@link TLV_REGION_MAX} or the end of the file. */
  region: (start: number) => Uint8Array;
  /** The file's last bytes (up to {@link TRAILER_TAIL_SIZE}). */
  tail: Uint8Array;
  fileSize: number;
}

/** Parses an image from its windows. `incomplete` only when a window is shorter than promised. */
export function parseImageWindows(w: ImageWindows): ParseResult<ParsedImage> {
  const h = parseHeader(w.head);
  if (h.status === 'incomplete') {
    return w.fileSize < HEADER_STRUCT_SIZE
      ? { status: 'invalid', category: 'truncated', message: `The file is ${w.fileSize} bytes, shorter than the 32-byte MCUboot header.` }
      : h;
  }
  if (h.status === 'invalid') return h;
  const header = h.value;
  const a = parseTlvAreas(header, w.region(header.hdrSize + header.imgSize), w.fileSize);
  if (a.status !== 'ok') return a;
  const f = interpretTlvs(a.value);
  if (f.status !== 'ok') return f;
  const trailer = parseTrailer(w.tail, w.fileSize - a.value.tlvEnd);
  return { status: 'ok', value: { header, areas: a.value, facts: f.value, fileSize: w.fileSize, trailer } };
}

/** Parses a whole image held in memory; a short file is `truncated`, never `incomplete`. */
export function parseImage(bytes: Uint8Array): ParseResult<ParsedImage> {
  const r = parseImageWindows({
    head: bytes.subarray(0, HEADER_STRUCT_SIZE),
    region: (start) => bytes.subarray(Math.min(start, bytes.length), Math.min(start + TLV_REGION_MAX, bytes.length)),
    tail: bytes.subarray(Math.max(0, bytes.length - TRAILER_TAIL_SIZE)),
    fileSize: bytes.length,
  });
  return r.status === 'incomplete' ? { status: 'invalid', category: 'truncated', message: 'The image is cut short.' } : r;
}

/** The JSON-friendly report of a parsed image. */
export function summarize(img: ParsedImage): ImageSummary {
  const { header, facts, areas } = img;
  return {
    version: formatVersion(header.version),
    versionParts: { ...header.version },
    hdrSize: header.hdrSize,
    imgSize: header.imgSize,
    protectTlvSize: header.protectTlvSize,
    flags: header.flags,
    flagNames: flagNames(header.flags),
    unknownFlags: unknownFlags(header.flags),
    loadAddr: header.loadAddr,
    hashAlg: facts.hashAlg,
    hash: hex(facts.hash),
    securityCounter: facts.securityCounter,
    dependencies: facts.dependencies.map((d) => ({ ...d })),
    customTlvs: customTlvMap(facts.customTlvs),
    uuidVendor: facts.uuidVendor ? hex(facts.uuidVendor) : null,
    uuidClass: facts.uuidClass ? hex(facts.uuidClass) : null,
    keyTlv: facts.keyTlv,
    pure: facts.pure,
    tlvEnd: areas.tlvEnd,
    trailer: img.trailer,
  };
}
