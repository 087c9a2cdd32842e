/**
 * Shared types of MCUboot image parsing and verification (spec: mcuboot-image.md).
 * Everything a verdict carries is JSON-friendly (hex strings, numbers), so it crosses IPC as is.
 */

/** Why an image is refused (mcuboot-image.md §6). Stable: the CLI, the UI and the vectors use these. */
export type VerifyCategory =
  | 'truncated'
  | 'bad-magic'
  | 'malformed-header'
  | 'malformed-tlv'
  | 'hash-mismatch'
  | 'bad-signature'
  | 'unknown-key'
  | 'unsupported-algorithm';

/** Every {@link VerifyCategory}, in checklist order. */
export const VERIFY_CATEGORIES: readonly VerifyCategory[] = [
  'truncated',
  'bad-magic',
  'malformed-header',
  'malformed-tlv',
  'hash-mismatch',
  'bad-signature',
  'unknown-key',
  'unsupported-algorithm',
];

/** Image hash algorithms MCUboot uses (§4.1). */
export type HashAlg = 'sha256' | 'sha384' | 'sha512';

/** Signing key types MCUboot supports and siteflash verifies (§4.2). */
export type KeyType = 'ed25519' | 'ecdsa-p256' | 'ecdsa-p384' | 'rsa-2048' | 'rsa-3072';

/** `major.minor.revision+build` from the image header (§2). */
export interface ImageVersion {
  major: number;
  minor: number;
  revision: number;
  build: number;
}

/** A parse step's result: the value, "give me at least `needed` bytes", or a refusal. */
export type ParseResult<T> =
  | { status: 'ok'; value: T }
  | { status: 'incomplete'; needed: number }
  | { status: 'invalid'; category: VerifyCategory; message: string };

/** One TLV as found in the file. */
export interface Tlv {
  type: number;
  /** File offset of the TLV's 4-byte header. */
  offset: number;
  value: Uint8Array;
}

/** A protected (0x6908) or unprotected (0x6907) TLV area (§3). */
export interface TlvArea {
  /** File offset of the area's info header. */
  offset: number;
  /** `tot`: size of the whole area, info header included. */
  size: number;
  tlvs: Tlv[];
}

/** Swap trailer at the end of a padded file (§5). */
export interface TrailerInfo {
  /** Bytes after the unprotected TLV area. */
  bytesAfterTlvs: number;
  /** `good` = standard 16-byte magic; `good-align` = the BOOT_MAX_ALIGN ≠ 8 variant; `none` = erased or other. */
  magic: 'good' | 'good-align' | 'none';
  magicHex: string;
  /** Raw flag bytes (BOOT_MAX_ALIGN 8 layout): 0x01 set, 0xff unset. Null for the align variant. */
  imageOk: number | null;
  copyDone: number | null;
  swapInfo: number | null;
}

/** A `DEPENDENCY` TLV (§3.1): image `imageId` must be at least `minVersion`. */
export interface ImageDependency {
  imageId: number;
  minVersion: string;
}

/** What a verdict tells about an image that parsed; all binary values are lower-case hex. */
export interface ImageSummary {
  version: string;
  versionParts: ImageVersion;
  hdrSize: number;
  imgSize: number;
  protectTlvSize: number;
  flags: number;
  /** Names of the known flag bits that are set (§2). */
  flagNames: string[];
  /** Flag bits siteflash does not know (reported, not refused). */
  unknownFlags: number;
  loadAddr: number;
  hashAlg: HashAlg;
  /** Hash TLV value: what the device reports as `hash` in SMP image state. */
  hash: string;
  securityCounter: number | null;
  dependencies: ImageDependency[];
  /** Custom protected TLVs, `0x00a0` → hex value. */
  customTlvs: Record<string, string>;
  uuidVendor: string | null;
  uuidClass: string | null;
  keyTlv: 'KEYHASH' | 'PUBKEY' | null;
  pure: boolean;
  /** End offset of the signed image (the unprotected TLV area's end). */
  tlvEnd: number;
  trailer: TrailerInfo | null;
}

/** The trusted key that checked an image's signature. */
export interface SignerInfo {
  name: string;
  type: KeyType;
  fingerprint: string;
}

/** The result of verifying an image: never a half-state. */
export type Verdict = ValidVerdict | InvalidVerdict;

/** An image that passed every check of §6, with the key that signed it. */
export interface ValidVerdict {
  valid: true;
  fileSize: number;
  /** SHA-256 of the whole file: what SMP upload's `sha` carries. */
  fileSha256: string;
  image: ImageSummary;
  signer: SignerInfo;
  /** Things worth telling the technician that do not make the image invalid. */
  notes: string[];
}

/** A refused image: the first failed check's category and a readable message. */
export interface InvalidVerdict {
  valid: false;
  category: VerifyCategory;
  /** Readable by a technician. */
  message: string;
  fileSize: number;
  /** Present when the whole file was read. */
  fileSha256?: string;
  /** Present when the header and TLVs parsed. */
  image?: ImageSummary;
  notes: string[];
}
