import { ImageCmd, SmpGroup, type SmpBody } from '../../smp';
import { DeviceError } from '../errors';
import type { SmpSession } from '../session';
import { sameBytes } from '../../smp/bytes';
import { field, optionalField } from './answer-fields';
import { displayVersion } from '../../image/version';

/**
 * A slot flag as the device reported it: `null` when the answer did not carry it. MCUboot serial
 * recovery sends no flags at all, or only those that are true (smp.md §11.1): a missing flag is
 * unknown, not false.
 */
export type SlotFlag = boolean | null;

/** One slot entry of an image state answer (smp.md §3.2). */
export interface SlotState {
  image: number;
  slot: number;
  /** `major.minor.revision+build`, whatever spelling the device used (`1.2.3.4` on SMP). */
  version: string;
  /** The image's hash TLV value (not the file's SHA-256). */
  hash: Uint8Array;
  bootable: SlotFlag;
  pending: SlotFlag;
  confirmed: SlotFlag;
  active: SlotFlag;
  permanent: SlotFlag;
}

/** Reads the slots the device holds (smp.md §3.2 id 0, read). */
export async function imageState(session: SmpSession, signal?: AbortSignal): Promise<SlotState[]> {
  const body = await session.request({ op: 'read', group: SmpGroup.image, id: ImageCmd.state, idempotent: true, signal });
  return parseSlots(body);
}

/** Marks the image with this hash for a one-time trial at the next reset (`confirm: false`). */
export async function imageTest(session: SmpSession, hash: Uint8Array, signal?: AbortSignal): Promise<SlotState[]> {
  // Testing the same hash twice is harmless (smp.md §3.2), so a lost answer may be resent.
  const body = await session.request({ op: 'write', group: SmpGroup.image, id: ImageCmd.state, body: { hash, confirm: false }, idempotent: true, signal });
  return parseSlots(body);
}

/**
 * Confirms: without a hash the running image (ends a trial); with one, the image with that hash
 * permanently (swap at the next reset, never revert).
 */
export async function imageConfirm(session: SmpSession, hash?: Uint8Array, signal?: AbortSignal): Promise<SlotState[]> {
  const body = await session.request({ op: 'write', group: SmpGroup.image, id: ImageCmd.state, body: hash ? { hash, confirm: true } : { confirm: true }, idempotent: true, signal });
  return parseSlots(body);
}

/** Erasing a whole slot takes seconds on a large part (smp.md §10). */
export const ERASE_TIMEOUT_MS = 30_000;

/** Erases a slot (default 1, smp.md §3.2 id 5); slow but safe to resend. */
export async function imageErase(session: SmpSession, slot?: number, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<void> {
  const body = slot === undefined ? {} : { slot };
  await session.request({ op: 'write', group: SmpGroup.image, id: ImageCmd.erase, body, idempotent: true, timeoutMs: options.timeoutMs ?? ERASE_TIMEOUT_MS, signal: options.signal });
}

/** The slot entries of a state answer, sorted by image then slot. */
export function parseSlots(body: SmpBody): SlotState[] {
  const images = body.images;
  if (!Array.isArray(images)) throw new DeviceError('protocol', 'The device\'s image state has no "images" list.');
  return images
    .map((entry: unknown): SlotState => {
      if (!entry || typeof entry !== 'object') throw new DeviceError('protocol', 'The device\'s image state has an entry that is not a map.');
      const e = entry as SmpBody;
      return {
        image: optionalField(e, 'image', 'number') ?? 0,
        slot: field(e, 'slot', 'number'),
        version: displayVersion(field(e, 'version', 'string')),
        hash: field(e, 'hash', 'bytes'),
        bootable: optionalField(e, 'bootable', 'boolean') ?? null,
        pending: optionalField(e, 'pending', 'boolean') ?? null,
        confirmed: optionalField(e, 'confirmed', 'boolean') ?? null,
        active: optionalField(e, 'active', 'boolean') ?? null,
        permanent: optionalField(e, 'permanent', 'boolean') ?? null,
      };
    })
    .sort((a, b) => a.image - b.image || a.slot - b.slot);
}

/** True when no slot entry carries any flag: the answer of MCUboot serial recovery's default build (smp.md §11.1). */
export function withoutFlags(slots: SlotState[]): boolean {
  return slots.every((s) => s.active === null && s.pending === null && s.confirmed === null && s.bootable === null && s.permanent === null);
}

/** The slot entry whose hash equals `hash`, if any. */
export function slotWithHash(slots: SlotState[], hash: Uint8Array): SlotState | undefined {
  return slots.find((s) => sameBytes(s.hash, hash));
}

/** Byte-wise equality, shared with the simulator (main/smp/bytes.ts); re-exported for the flows. */
export { sameBytes };
