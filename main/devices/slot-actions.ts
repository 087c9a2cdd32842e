import { SmpError } from '../smp';
import { imageConfirm, imageErase, imageState, type SlotState } from './commands/image';
import type { SmpSession } from './session';

/**
 * `image erase` and `image confirm [HASH]` as the technician runs them, with what to do when the
 * device refuses: one implementation for the CLI (main/cli/commands/device.ts) and the app's device
 * details (main/services.ts). Refusals by the device are outcomes, not errors; a lost link or a
 * malformed answer still throws.
 */

/** How the next step is named to the technician: a CLI command or the app's button. */
export interface NextStepWords {
  reset: string;
  confirm: string;
}

export const CLI_WORDS: NextStepWords = { reset: 'siteflash reset', confirm: 'siteflash image confirm' };

/** What an erase or confirm did: `done` only when the device accepted it; `slots` as the device lists them afterwards. */
export interface SlotActionOutcome {
  done: boolean;
  /** Why not: `refused` (the device said no), `no-such-image` / `ambiguous-hash` (nothing was sent), `unknown` (no answer). */
  kind?: 'refused' | 'no-such-image' | 'ambiguous-hash' | 'unknown';
  /** What happened, or why not and what to do. */
  message: string;
  slots: SlotState[];
}

/** Erases `slot` (default 1, as the device does without one); a refusal is read against the device's own list. */
export async function eraseSlot(session: SmpSession, slot: number | undefined, words: NextStepWords, signal?: AbortSignal): Promise<SlotActionOutcome> {
  const which = slot ?? 1;
  try {
    await imageErase(session, slot, { signal });
  } catch (err) {
    if (!(err instanceof SmpError)) throw err;
    const slots = await imageState(session, signal);
    const why = eraseRefusal(slots, which, words);
    return { done: false, kind: 'refused', message: `The device refused to erase slot ${which} (${err.message.replace(/\.$/, '')}).${why ? ` ${why}` : ''}`, slots };
  }
  return { done: true, message: `Slot ${which} erased.`, slots: await imageState(session, signal) };
}

/**
 * Confirms the running image, or with `hashPrefix` (hex, a unique start of a slot's hash) makes that
 * image permanent. The prefix is matched against the device's list before anything is written.
 */
export async function confirmSlot(session: SmpSession, hashPrefix: string | undefined, signal?: AbortSignal): Promise<SlotActionOutcome> {
  let hash: Uint8Array | undefined;
  if (hashPrefix !== undefined) {
    const given = hashPrefix.toLowerCase();
    const slots = await imageState(session, signal);
    const matches = slots.filter((s) => Buffer.from(s.hash).toString('hex').startsWith(given));
    if (matches.length === 0) return { done: false, kind: 'no-such-image', message: `No slot holds an image whose hash starts with ${given}; see siteflash image list.`, slots };
    if (matches.length > 1) return { done: false, kind: 'ambiguous-hash', message: `${given} matches several images; give more of the hash.`, slots };
    hash = matches[0]!.hash;
  }
  try {
    const slots = await imageConfirm(session, hash, signal);
    const message = hash ? `${Buffer.from(hash).toString('hex').slice(0, 16)} is confirmed: it becomes permanent at the next reset.` : 'The running image is confirmed.';
    return { done: true, message, slots };
  } catch (err) {
    if (!(err instanceof SmpError)) throw err;
    return { done: false, kind: 'refused', message: `The device refused to confirm (${err.message.replace(/\.$/, '')}).`, slots: await imageState(session, signal) };
  }
}

/** Why a device refuses to erase `slot`, read from its list: what to do next, or '' when the list does not say. */
export function eraseRefusal(slots: SlotState[], slot: number, words: NextStepWords): string {
  const target = slots.find((s) => s.slot === slot && s.image === 0);
  if (target?.pending === true) {
    return `Slot ${slot} holds ${target.version}, pending ${target.permanent === true ? 'a permanent' : 'a test'} swap. Reset the device (${words.reset}) so the bootloader installs it, confirm what then runs (${words.confirm}), then erase.`;
  }
  const running = slots.find((s) => s.active === true);
  if (running && running.confirmed === false && target) {
    return `The running image ${running.version} is on trial and slot ${slot} holds ${target.version}, the image it reverts to. Confirm the running image first (${words.confirm}), then erase.`;
  }
  return '';
}

/** Which actions make sense on a slot: confirm a pending or on-trial image, erase a slot that is not running. */
export function slotActionsFor(s: SlotState): { confirm: boolean; erase: boolean } {
  const onTrial = s.active === true && s.confirmed === false;
  const testPending = s.active !== true && s.pending === true && s.permanent !== true;
  return { confirm: onTrial || testPending, erase: s.active !== true && s.slot !== 0 };
}
