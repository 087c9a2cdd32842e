/**
 * The protected and unprotected TLV areas (mcuboot-image.md §3, checklist §6 steps 2–5).
 * Pure: every offset and length is checked against the area and the file before use.
 */
import {
  HASH_TLVS,
  KNOWN_TLV_TYPES,
  TLV,
  TLV_AREA_MAX,
  TLV_HEADER_SIZE,
  TLV_INFO_MAGIC,
  TLV_INFO_SIZE,
  TLV_PROT_INFO_MAGIC,
  hex,
  u16,
  u32,
} from './format';
import type { ImageHeader } from './header';
import type { HashAlg, ImageDependency, ParseResult, Tlv, TlvArea } from './types';

/** Most bytes the two TLV areas can span from `hdr_size + img_size` (two u16-sized areas). */
export const TLV_REGION_MAX = 2 * TLV_AREA_MAX;

/** Both TLV areas, located. */
export interface TlvAreas {
  protectedArea: TlvArea | null;
  unprotectedArea: TlvArea;
  /** `hdr_size + img_size + protect_tlv_size`: the bytes the image hash covers (§4.1). */
  hashedSize: number;
  /** End of the unprotected area = end of the signed image. */
  tlvEnd: number;
}

/** What the TLVs say, once checked (§3.1, §6 step 5). */
export interface TlvFacts {
  hashAlg: HashAlg;
  hash: Uint8Array;
  securityCounter: number | null;
  dependencies: ImageDependency[];
  customTlvs: Tlv[];
  uuidVendor: Uint8Array | null;
  uuidClass: Uint8Array | null;
  keyTlv: 'KEYHASH' | 'PUBKEY' | null;
  pure: boolean;
}

type Invalid = { status: 'invalid'; category: 'truncated' | 'malformed-tlv'; message: string };
const bad = (message: string): Invalid => ({ status: 'invalid', category: 'malformed-tlv', message });
const truncated = (message: string): Invalid => ({ status: 'invalid', category: 'truncated', message });

/**
 * Locates and walks both TLV areas. `region` holds the file's bytes from `hdr_size + img_size`
 * on (at least {@link TLV_REGION_MAX} of them, or up to the end of the file); `fileSize` is the
 * whole file's size. `incomplete` means the caller passed fewer bytes than the file has and more
 * are needed.
 */
export function parseTlvAreas(header: ImageHeader, region: Uint8Array, fileSize: number): ParseResult<TlvAreas> {
  const start = header.hdrSize + header.imgSize;
  // Checks whether [start, end) of the file is both present in the file and in `region`.
  const need = (end: number): 'ok' | 'truncated' | 'incomplete' =>
    end > fileSize ? 'truncated' : end - start > region.length ? 'incomplete' : 'ok';
  const at = (off: number) => off - start;

  const first = need(start + TLV_INFO_SIZE);
  if (first === 'truncated') {
    return truncated(`The file is ${fileSize} bytes but its header says the image body alone ends at byte ${start}: the file is cut short.`);
  }
  if (first === 'incomplete') return { status: 'incomplete', needed: TLV_INFO_SIZE };

  let protectedArea: TlvArea | null = null;
  const P = header.protectTlvSize;
  if (u16(region, 0) === TLV_PROT_INFO_MAGIC) {
    const tot = u16(region, 2);
    if (tot !== P) return bad(`The protected TLV area says it is ${tot} bytes but the header says ${P}.`);
    if (tot < TLV_INFO_SIZE) return bad(`The protected TLV area is ${tot} bytes, smaller than its own info header.`);
    const n = need(start + tot);
    if (n === 'truncated') return truncated('The file ends inside the protected TLV area.');
    if (n === 'incomplete') return { status: 'incomplete', needed: tot };
    const walked = walkArea(region, start, tot, 'protected');
    if (walked.status !== 'ok') return walked;
    protectedArea = walked.value;
  } else if (P !== 0) {
    return bad(`The header announces a ${P}-byte protected TLV area but none starts at byte ${start}.`);
  }

  const uStart = start + P;
  const u = need(uStart + TLV_INFO_SIZE);
  if (u === 'truncated') return truncated('The file ends before the unprotected TLV area (hash and signature).');
  if (u === 'incomplete') return { status: 'incomplete', needed: P + TLV_INFO_SIZE };
  if (u16(region, at(uStart)) !== TLV_INFO_MAGIC) {
    return bad(`No unprotected TLV area (magic 0x6907) at byte ${uStart}: the image carries no hash or signature there.`);
  }
  const tot = u16(region, at(uStart) + 2);
  if (tot < TLV_INFO_SIZE) return bad(`The unprotected TLV area is ${tot} bytes, smaller than its own info header.`);
  const n = need(uStart + tot);
  if (n === 'truncated') return truncated(`The file ends inside the unprotected TLV area: ${uStart + tot - fileSize} bytes of hash/signature data are missing.`);
  if (n === 'incomplete') return { status: 'incomplete', needed: P + tot };
  const walked = walkArea(region.subarray(at(uStart)), uStart, tot, 'unprotected');
  if (walked.status !== 'ok') return walked;
  return { status: 'ok', value: { protectedArea, unprotectedArea: walked.value, hashedSize: uStart, tlvEnd: uStart + tot } };
}

/** Walks the TLVs of one area whose bytes start at `area[0]` = file offset `offset`. */
function walkArea(area: Uint8Array, offset: number, tot: number, which: string): ParseResult<TlvArea> {
  const tlvs: Tlv[] = [];
  let pos = TLV_INFO_SIZE;
  while (pos < tot) {
    if (pos + TLV_HEADER_SIZE > tot) return bad(`A TLV header in the ${which} area runs past the area's end (byte ${offset + pos}).`);
    const type = u16(area, pos);
    const len = u16(area, pos + 2);
    if (pos + TLV_HEADER_SIZE + len > tot) {
      return bad(`TLV 0x${type.toString(16).padStart(4, '0')} in the ${which} area is ${len} bytes long and runs past the area's end.`);
    }
    tlvs.push({ type, offset: offset + pos, value: area.subarray(pos + TLV_HEADER_SIZE, pos + TLV_HEADER_SIZE + len) });
    pos += TLV_HEADER_SIZE + len;
  }
  return { status: 'ok', value: { offset, size: tot, tlvs } };
}

/** Checks and reads the TLVs that carry meaning (§3.1, §6 step 5). */
export function interpretTlvs(areas: TlvAreas): ParseResult<TlvFacts> {
  const prot = areas.protectedArea?.tlvs ?? [];
  const unprot = areas.unprotectedArea.tlvs;
  const hashes = [...prot, ...unprot].filter((t) => HASH_TLVS.has(t.type));
  if (hashes.length !== 1) {
    return bad(hashes.length === 0 ? 'The image carries no hash TLV (SHA-256/384/512).' : `The image carries ${hashes.length} hash TLVs; MCUboot expects exactly one.`);
  }
  const hashTlv = hashes[0] as Tlv;
  const hashInfo = HASH_TLVS.get(hashTlv.type) as { alg: HashAlg; len: number };
  if (hashTlv.value.length !== hashInfo.len) {
    return bad(`The ${hashInfo.alg.toUpperCase()} hash TLV is ${hashTlv.value.length} bytes; it must be ${hashInfo.len}.`);
  }

  const facts: TlvFacts = {
    hashAlg: hashInfo.alg,
    hash: hashTlv.value,
    securityCounter: null,
    dependencies: [],
    customTlvs: [],
    uuidVendor: null,
    uuidClass: null,
    keyTlv: null,
    pure: false,
  };
  for (const t of prot) {
    const len = t.value.length;
    if (t.type === TLV.SEC_CNT) {
      if (len !== 4) return bad(`The security counter TLV is ${len} bytes; it must be 4.`);
      if (facts.securityCounter !== null) return bad('The image carries two security counter TLVs.');
      facts.securityCounter = u32(t.value, 0);
    } else if (t.type === TLV.DEPENDENCY) {
      if (len !== 12) return bad(`A dependency TLV is ${len} bytes; it must be 12.`);
      const v = t.value;
      facts.dependencies.push({ imageId: v[0] ?? 0, minVersion: `${v[4]}.${v[5]}.${u16(v, 6)}+${u32(v, 8)}` });
    } else if (t.type === TLV.UUID_VID || t.type === TLV.UUID_CID) {
      if (len !== 16) return bad(`A UUID TLV is ${len} bytes; it must be 16.`);
      if (t.type === TLV.UUID_VID) facts.uuidVendor = t.value;
      else facts.uuidClass = t.value;
    } else if (!KNOWN_TLV_TYPES.has(t.type)) {
      facts.customTlvs.push(t);
    }
  }
  for (const t of unprot) {
    if (t.type === TLV.SIG_PURE) {
      if (t.value.length !== 1 || t.value[0] !== 0x01) return bad('The SIG_PURE TLV must be one byte of value 0x01.');
      facts.pure = true;
    } else if (t.type === TLV.KEYHASH && facts.keyTlv === null) {
      facts.keyTlv = 'KEYHASH';
    } else if (t.type === TLV.PUBKEY && facts.keyTlv === null) {
      facts.keyTlv = 'PUBKEY';
    }
  }
  return { status: 'ok', value: facts };
}

/** `0x00a0` → hex value map of custom TLVs, for reports. */
export function customTlvMap(tlvs: Tlv[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tlvs) out[`0x${t.type.toString(16).padStart(4, '0')}`] = hex(t.value);
  return out;
}
