/**
 * Byte-level constants of the MCUboot image format. Each names its section of
 * shared/spec/mcuboot-image.md.
 */
import type { HashAlg } from './types';

/** §2: `ih_magic` of a current image (bytes `3d b8 f3 96`). */
export const IMAGE_MAGIC = 0x96f3b83d;
/** §2: the obsolete V1 magic; refused as bad-magic. */
export const IMAGE_MAGIC_V1 = 0x96f3b83c;
/** §2: size of the header struct; `ih_hdr_size` may not be smaller. */
export const HEADER_STRUCT_SIZE = 32;

/** §3: info magic of the protected TLV area. */
export const TLV_PROT_INFO_MAGIC = 0x6908;
/** §3: info magic of the unprotected TLV area. */
export const TLV_INFO_MAGIC = 0x6907;
/** §3: size of a TLV area's info header. */
export const TLV_INFO_SIZE = 4;
/** §3: size of one TLV's type + length header. */
export const TLV_HEADER_SIZE = 4;
/** §3: `tot` is a u16, so an area is at most this big. */
export const TLV_AREA_MAX = 0xffff;

/** §2 flags. */
export const IMAGE_FLAGS: Readonly<Record<string, number>> = {
  PIC: 0x1,
  ENCRYPTED_AES128: 0x4,
  ENCRYPTED_AES256: 0x8,
  NON_BOOTABLE: 0x10,
  RAM_LOAD: 0x20,
  ROM_FIXED: 0x100,
  COMPRESSED_LZMA1: 0x200,
  COMPRESSED_LZMA2: 0x400,
  COMPRESSED_ARM_THUMB_FLT: 0x800,
};
/** §2: images with these flags carry an encrypted body (cannot be verified offline, §4.1). */
export const FLAGS_ENCRYPTED = 0x4 | 0x8;
/** §2: every flag bit siteflash knows; others are reported as unknown. */
export const FLAGS_KNOWN = Object.values(IMAGE_FLAGS).reduce((a, b) => a | b, 0);

/** §3.1 TLV types. */
export const TLV = {
  KEYHASH: 0x01,
  PUBKEY: 0x02,
  SHA256: 0x10,
  SHA384: 0x11,
  SHA512: 0x12,
  RSA2048_PSS: 0x20,
  ECDSA224: 0x21,
  ECDSA_SIG: 0x22,
  RSA3072_PSS: 0x23,
  ED25519: 0x24,
  SIG_PURE: 0x25,
  ENC_RSA2048: 0x30,
  ENC_KW: 0x31,
  ENC_EC256: 0x32,
  ENC_X25519: 0x33,
  ENC_X25519_SHA512: 0x34,
  DEPENDENCY: 0x40,
  SEC_CNT: 0x50,
  BOOT_RECORD: 0x60,
  DECOMP_SIZE: 0x70,
  DECOMP_SHA: 0x71,
  DECOMP_SIGNATURE: 0x72,
  COMP_DEC_SIZE: 0x73,
  UUID_VID: 0x74,
  UUID_CID: 0x75,
} as const;

/** §3.1: TLV types with a defined meaning; any other protected TLV is reported as custom. */
export const KNOWN_TLV_TYPES: ReadonlySet<number> = new Set(Object.values(TLV));

/** §3.1 / §4.1: hash TLV type → algorithm and digest length. */
export const HASH_TLVS: ReadonlyMap<number, { alg: HashAlg; len: number }> = new Map([
  [TLV.SHA256, { alg: 'sha256', len: 32 }],
  [TLV.SHA384, { alg: 'sha384', len: 48 }],
  [TLV.SHA512, { alg: 'sha512', len: 64 }],
]);

/** §3.1: signature TLV types. */
export const SIGNATURE_TLVS: ReadonlySet<number> = new Set([
  TLV.RSA2048_PSS,
  TLV.ECDSA224,
  TLV.ECDSA_SIG,
  TLV.RSA3072_PSS,
  TLV.ED25519,
]);

/** §5: trailer magic for BOOT_MAX_ALIGN = 8. */
export const TRAILER_MAGIC = Uint8Array.from([
  0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f, 0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80,
]);
/** §5: last 14 bytes of the trailer magic when BOOT_MAX_ALIGN ≠ 8 (preceded by u16 align). */
export const TRAILER_MAGIC_ALIGN_TAIL = Uint8Array.from([
  0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b, 0x8d, 0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a,
]);
/** §5: bytes from the slot end that hold magic and the flag fields (BOOT_MAX_ALIGN 8). */
export const TRAILER_TAIL_SIZE = 48;

/** Reads a little-endian u16 at `off` (caller has bounds-checked). */
export function u16(b: Uint8Array, off: number): number {
  return (b[off] ?? 0) | ((b[off + 1] ?? 0) << 8);
}

/** Reads a little-endian u32 at `off` (caller has bounds-checked). */
export function u32(b: Uint8Array, off: number): number {
  return ((b[off] ?? 0) | ((b[off + 1] ?? 0) << 8) | ((b[off + 2] ?? 0) << 16)) + (b[off + 3] ?? 0) * 0x1000000;
}

/** Lower-case hex of bytes. */
export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}
