import type { DeviceActionResult, SlotInfo } from '../../preload/api';
import type { Link } from '../links/link';
import { SiteflashError } from '../errors';
import type { DeviceActionRecord } from '../store/action-audit';
import { fieldIdentity } from './commands/field';
import { imageState, type SlotState } from './commands/image';
import { reset } from './commands/os';
import { DeviceError } from './errors';
import { withLinkSession } from './link-session';
import type { SmpSession } from './session';
import { confirmSlot, eraseSlot, slotActionsFor, type NextStepWords, type SlotActionOutcome } from './slot-actions';

/** The app's words for the next step after a refusal: its own buttons, not CLI commands. */
export const APP_WORDS: NextStepWords = { reset: 'the Reset button', confirm: 'Confirm on the running image' };

/** What the audit row of one action needs beyond who and where (the recorder adds those, and the time). */
export type ActionRecord = Omit<DeviceActionRecord, 'technician' | 'site' | 'at'>;

/** The seams of {@link DeviceActions}: how a link is opened and held, how an action is recorded, the clock. */
export interface DeviceActionDeps {
  /** Opens nothing: returns the (closed) link to the device and a release to call once done. Throws if a job holds it. */
  claim(): { link: Link; release(): void };
  record(r: ActionRecord): void;
  now(): number;
}

/**
 * The device details' requests on one directly connected device: read its slots, erase a slot,
 * confirm an image, reset. Each runs the one implementation the CLI runs (slot-actions.ts) over a
 * short session, and every action (not the read) writes an audit row whether the device accepted it or not.
 */
export async function readSlots(deps: DeviceActionDeps): Promise<DeviceActionResult> {
  return run(deps, async (s) => ({ done: true, message: '', slots: (await imageState(s)).map(slotInfo) }));
}

export async function eraseAction(deps: DeviceActionDeps, slot: number | undefined): Promise<DeviceActionResult> {
  const which = slot ?? 1;
  return act(deps, `image erase slot ${which}`, which, (s) => eraseSlot(s, slot, APP_WORDS));
}

export async function confirmAction(deps: DeviceActionDeps, hash: string | undefined): Promise<DeviceActionResult> {
  return act(deps, hash ? `image confirm ${hash.slice(0, 16)}` : 'image confirm (running image)', hash, (s) => confirmSlot(s, hash));
}

export async function resetAction(deps: DeviceActionDeps): Promise<DeviceActionResult> {
  return act(deps, 'reset', undefined, async (s) => {
    const slots = await imageState(s);
    try {
      await reset(s);
    } catch (err) {
      // A lost answer may mean the reset happened (smp.md §10): say what is known, never "reset done".
      if (err instanceof DeviceError && (err.kind === 'timeout' || err.kind === 'link-closed')) {
        return { done: false, kind: 'unknown', message: 'The device did not answer the reset; it may be restarting. Read its slots again in a few seconds.', slots };
      }
      throw err;
    }
    return { done: true, message: 'The device accepted the reset and is restarting; read its slots again once it is back.', slots };
  });
}

/** One action: who the device is and what the slot held (for the audit row), the action, its row. */
async function act(deps: DeviceActionDeps, action: string, which: number | string | undefined, body: (s: SmpSession) => Promise<SlotActionOutcome>): Promise<DeviceActionResult> {
  const startedAt = deps.now();
  return run(deps, async (s, linkId) => {
    const identity = await fieldIdentity(s);
    const before = await imageState(s);
    const outcome = await body(s);
    const pick = (slots: SlotState[]) => (typeof which === 'number' ? slots.find((x) => x.image === 0 && x.slot === which) : typeof which === 'string' ? slots.find((x) => hex(x.hash).startsWith(which)) : slots.find((x) => x.active === true));
    deps.record({
      action,
      link: linkId,
      deviceId: identity?.id ?? null,
      board: identity?.board ?? null,
      fromVersion: pick(before)?.version ?? null,
      toVersion: action === 'reset' ? null : (pick(outcome.slots)?.version ?? null),
      done: outcome.done,
      message: outcome.message,
      startedAt,
    });
    return { done: outcome.done, ...(outcome.kind ? { kind: outcome.kind } : {}), message: outcome.message, slots: outcome.slots.map(slotInfo) };
  });
}

async function run<T>(deps: DeviceActionDeps, body: (s: SmpSession, linkId: string) => Promise<T>): Promise<T> {
  const { link, release } = deps.claim();
  try {
    return await withLinkSession(link, (s) => body(s, link.id));
  } finally {
    release();
  }
}

/** The contract's view of a slot: hash as hex, unknown flags kept null. */
export function slotInfo(s: SlotState): SlotInfo {
  return { image: s.image, slot: s.slot, version: s.version, hash: hex(s.hash), bootable: s.bootable, pending: s.pending, confirmed: s.confirmed, active: s.active, permanent: s.permanent, actions: slotActionsFor(s) };
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/** The error for a device a job is talking to now. */
export function busyDevice(linkId: string): SiteflashError {
  return new SiteflashError('device-busy', `A job is talking to ${linkId} now; wait until it has finished with this device, then try again.`);
}
