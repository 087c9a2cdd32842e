/**
 * Builds real signed MCUboot images with Ed25519 (the layout imgtool 2.4 writes, mcuboot-image.md
 * §1–§5), for tests, the device simulator and the demo site. Not a replacement for imgtool in a
 * firmware pipeline: one signature, Ed25519 only, no encryption or compression.
 */
import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { boardTagValue, BOARD_TLV } from './board-tag';
import { IMAGE_MAGIC, KNOWN_TLV_TYPES, TLV, TLV_INFO_MAGIC, TLV_PROT_INFO_MAGIC, TRAILER_MAGIC } from './format';
import type { ImageDependency, ImageVersion } from './types';
import { parseVersion } from './version';

/** What to build. */
export interface BuildImageOptions {
  body: Uint8Array;
  /** `major.minor.revision+build` or parts. */
  version: string | ImageVersion;
  /** Ed25519 private key (KeyObject or PEM). */
  signingKey: KeyObject | string;
  /** Header area size; default 0x200 (bytes 32.. are 0xff, as imgtool `--pad-header`). */
  headerSize?: number;
  securityCounter?: number;
  dependencies?: ImageDependency[];
  /** Custom protected TLVs (tag 0x00a0–0xfffe, not a standard type). */
  customTlvs?: { type: number; value: Uint8Array | string }[];
  /** Adds the board tag TLV (see board-tag.ts). */
  board?: string;
  /** `hash` writes KEYHASH (default), `full` writes PUBKEY. */
  keyTlv?: 'hash' | 'full';
  /** Pure Ed25519 (signature over the image itself, SHA-512 hash TLV). */
  pure?: boolean;
  /** Image hash; default SHA-256 (SHA-512 for pure). */
  hashAlg?: 'sha256' | 'sha512';
  flags?: number;
  loadAddr?: number;
  /** Pad with 0xff to the slot size and write the trailer magic (and image_ok with `confirm`). */
  pad?: { slotSize: number; confirm?: boolean };
}

/** §5: trailer size for BOOT_MAX_ALIGN 8 and 128 sectors, as imgtool sizes it. */
const TRAILER_SIZE = 128 * 3 * 8 + 4 * 8 + 16;

const tlv = (type: number, value: Uint8Array) => {
  const b = Buffer.alloc(4 + value.length);
  b.writeUInt16LE(type, 0);
  b.writeUInt16LE(value.length, 2);
  b.set(value, 4);
  return b;
};
const area = (magic: number, tlvs: Buffer[]) => {
  const body = Buffer.concat(tlvs);
  const info = Buffer.alloc(4);
  info.writeUInt16LE(magic, 0);
  info.writeUInt16LE(body.length + 4, 2);
  return Buffer.concat([info, body]);
};

/** Builds and signs one image. Throws a plain Error on options no image could be made from. */
export function buildImage(o: BuildImageOptions): Uint8Array {
  const version = typeof o.version === 'string' ? parseVersion(o.version) : o.version;
  if (!version) throw new Error(`Not a version: ${String(o.version)}`);
  const priv = typeof o.signingKey === 'string' ? createPrivateKey(o.signingKey) : o.signingKey;
  if (priv.asymmetricKeyType !== 'ed25519') throw new Error('The image builder signs with Ed25519 keys only.');
  const hdrSize = o.headerSize ?? 0x200;
  if (hdrSize < 32 || hdrSize > 0xffff) throw new Error(`Header size ${hdrSize} out of range.`);
  const hashAlg = o.pure ? 'sha512' : (o.hashAlg ?? 'sha256');

  const prot: Buffer[] = [];
  if (o.securityCounter !== undefined) {
    const v = Buffer.alloc(4);
    v.writeUInt32LE(o.securityCounter);
    prot.push(tlv(TLV.SEC_CNT, v));
  }
  for (const d of o.dependencies ?? []) {
    const dv = parseVersion(d.minVersion);
    if (!dv) throw new Error(`Not a version: ${d.minVersion}`);
    const v = Buffer.alloc(12);
    v.writeUInt8(d.imageId, 0);
    v.writeUInt8(dv.major, 4);
    v.writeUInt8(dv.minor, 5);
    v.writeUInt16LE(dv.revision, 6);
    v.writeUInt32LE(dv.build, 8);
    prot.push(tlv(TLV.DEPENDENCY, v));
  }
  const custom = [...(o.customTlvs ?? []), ...(o.board !== undefined ? [{ type: BOARD_TLV, value: boardTagValue(o.board) }] : [])];
  for (const c of custom) {
    if (c.type < 0xa0 || c.type > 0xfffe || KNOWN_TLV_TYPES.has(c.type)) throw new Error(`0x${c.type.toString(16)} is not a custom TLV tag.`);
    prot.push(tlv(c.type, typeof c.value === 'string' ? Buffer.from(c.value, 'utf8') : c.value));
  }
  const protArea = prot.length ? area(TLV_PROT_INFO_MAGIC, prot) : Buffer.alloc(0);

  const header = Buffer.alloc(hdrSize, 0xff);
  header.fill(0, 0, 32);
  header.writeUInt32LE(IMAGE_MAGIC, 0);
  header.writeUInt32LE(o.loadAddr ?? 0, 4);
  header.writeUInt16LE(hdrSize, 8);
  header.writeUInt16LE(protArea.length, 10);
  header.writeUInt32LE(o.body.length, 12);
  header.writeUInt32LE(o.flags ?? 0, 16);
  header.writeUInt8(version.major, 20);
  header.writeUInt8(version.minor, 21);
  header.writeUInt16LE(version.revision, 22);
  header.writeUInt32LE(version.build, 24);

  const region = Buffer.concat([header, o.body, protArea]);
  const digest = createHash(hashAlg).update(region).digest();
  const keyBytes = createPublicKey(priv).export({ type: 'spki', format: 'der' });
  const unprot = [tlv(hashAlg === 'sha256' ? TLV.SHA256 : TLV.SHA512, digest)];
  if (o.pure) unprot.push(tlv(TLV.SIG_PURE, Uint8Array.of(1)));
  unprot.push(o.keyTlv === 'full' ? tlv(TLV.PUBKEY, keyBytes) : tlv(TLV.KEYHASH, createHash(hashAlg).update(keyBytes).digest()));
  unprot.push(tlv(TLV.ED25519, sign(null, o.pure ? region : digest, priv)));
  const image = Buffer.concat([region, area(TLV_INFO_MAGIC, unprot)]);
  return o.pad ? padToSlot(image, o.pad.slotSize, o.pad.confirm ?? false) : new Uint8Array(image.buffer, image.byteOffset, image.length);
}

function padToSlot(image: Buffer, slotSize: number, confirm: boolean): Uint8Array {
  if (image.length + TRAILER_SIZE > slotSize) throw new Error(`The image (${image.length} bytes) and its trailer do not fit a ${slotSize}-byte slot.`);
  const out = Buffer.alloc(slotSize, 0xff);
  image.copy(out, 0);
  out.set(TRAILER_MAGIC, slotSize - 16);
  if (confirm) out[slotSize - 24] = 0x01;
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** Deterministic pseudo-random body, as the vectors make them: SHA-256(seed ‖ counter BE32) blocks. */
export function seededBody(seed: string, size: number): Uint8Array {
  const out = Buffer.alloc(size);
  const counter = Buffer.alloc(4);
  for (let off = 0, i = 0; off < size; off += 32, i++) {
    counter.writeUInt32BE(i);
    createHash('sha256').update(seed).update(counter).digest().copy(out, off);
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}
