import { createHash } from 'node:crypto';
import { BOARD_TLV } from './slot-image';

/** What {@link buildSimImage} makes. */
export interface SimImageSpec {
  /** `major.minor.revision+build`, e.g. `1.4.0+0`. */
  version: string;
  /** Written as the custom TLV 0x01a5 `board=<name>` (protected area); omitted when undefined. */
  board?: string;
  /** Body size in bytes (default 4096). */
  bodySize?: number;
  /** Seed text for the body bytes: SHA-256(seed ‖ counter) blocks, as the shared vectors use. */
  seed?: string;
  /** Header size (default 0x20). */
  hdrSize?: number;
}

/**
 * Builds an MCUboot image (mcuboot-image.md §1–§4.1) with a SHA-256 hash TLV and no signature:
 * what the simulator stores in its primary slot, and test uploads for it. A real MCUboot would
 * refuse it for lack of a signature; the simulator checks the hash only (see README).
 */
export function buildSimImage(spec: SimImageSpec): Uint8Array {
  const hdrSize = spec.hdrSize ?? 0x20;
  const body = seededBody(spec.seed ?? `sim ${spec.version} ${spec.board ?? ''}`, spec.bodySize ?? 4096);
  const prot = spec.board === undefined ? new Uint8Array(0) : tlvArea(0x6908, [[BOARD_TLV, new TextEncoder().encode(`board=${spec.board}`)]]);
  const header = new Uint8Array(hdrSize);
  const v = new DataView(header.buffer);
  const [main, build] = spec.version.split('+');
  const [major = 0, minor = 0, revision = 0] = (main ?? '').split('.').map(Number);
  v.setUint32(0, 0x96f3b83d, true);
  v.setUint16(8, hdrSize, true);
  v.setUint16(10, prot.length, true);
  v.setUint32(12, body.length, true);
  v.setUint8(20, major);
  v.setUint8(21, minor);
  v.setUint16(22, revision, true);
  v.setUint32(24, Number(build ?? 0), true);
  const hashed = concat([header, body, prot]);
  const hash = createHash('sha256').update(hashed).digest();
  return concat([hashed, tlvArea(0x6907, [[0x10, new Uint8Array(hash)]])]);
}

function tlvArea(magic: number, tlvs: [number, Uint8Array][]): Uint8Array {
  const size = 4 + tlvs.reduce((n, [, value]) => n + 4 + value.length, 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint16(0, magic, true);
  v.setUint16(2, size, true);
  let at = 4;
  for (const [type, value] of tlvs) {
    v.setUint16(at, type, true);
    v.setUint16(at + 2, value.length, true);
    out.set(value, at + 4);
    at += 4 + value.length;
  }
  return out;
}

function seededBody(seed: string, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0, at = 0; at < size; i++, at += 32) {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(i);
    out.set(createHash('sha256').update(seed).update(counter).digest().subarray(0, size - at), at);
  }
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}
