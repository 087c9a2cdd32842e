import { createHash } from 'node:crypto';
import { parseImage } from '../image/parse';
import type { ImageVersion } from '../image/types';

/**
 * How the simulator carries a board identity in an image: a custom protected TLV of type
 * 0x01a5 whose value is the text `board=<name>` (as vector s05 does). See main/sim/README.md.
 */
export const BOARD_TLV = 0x01a5;

/** What the simulated bootloader and image manager know about the bytes in a slot. */
export interface SlotImage {
  bytes: Uint8Array;
  version: ImageVersion;
  /** The hash TLV value: what image state reports as `hash`. */
  hash: Uint8Array;
  /** True when the hash TLV matches the hashed region (MCUboot's validation, signatures aside). */
  hashOk: boolean;
  bootable: boolean;
  /** From the board TLV; undefined when the image carries none. */
  board: string | undefined;
}

/**
 * Reads a slot's contents with the shared image parser (main/image). Returns undefined when
 * the bytes are not a parsable MCUboot image (erased, partial, garbage).
 */
export function inspectSlotImage(bytes: Uint8Array): SlotImage | undefined {
  const r = parseImage(bytes);
  if (r.status !== 'ok') return undefined;
  const { header, facts, areas } = r.value;
  const alg = facts.hashAlg;
  const actual = createHash(alg).update(bytes.subarray(0, areas.hashedSize)).digest();
  const boardTlv = facts.customTlvs.find((t) => t.type === BOARD_TLV);
  const boardText = boardTlv ? new TextDecoder().decode(boardTlv.value) : undefined;
  return {
    bytes,
    version: header.version,
    hash: facts.hash,
    hashOk: Buffer.compare(actual, facts.hash) === 0,
    bootable: (header.flags & 0x10) === 0,
    board: boardText?.startsWith('board=') ? boardText.slice('board='.length) : undefined,
  };
}

/** SMP's spelling of a version (smp.md §3.2): `major.minor.revision`, plus `.build` when build ≠ 0. */
export function smpVersionText(v: ImageVersion): string {
  return `${v.major}.${v.minor}.${v.revision}${v.build !== 0 ? `.${v.build}` : ''}`;
}

/** The field group's spelling (field-group.md): `major.minor.revision+build`. */
export function fieldVersionText(v: ImageVersion): string {
  return `${v.major}.${v.minor}.${v.revision}+${v.build}`;
}
