import { SiteflashError } from '../errors';
import type { DeviceState, EndState } from './types';

/**
 * The one transition table of a device in a job (DESIGN.md "Device states"). Anything not listed
 * is a bug in the engine, not a device problem.
 *
 * - Cancel is allowed up to `transferring` and after `rejoined`, never from `installing`: between
 *   the test mark/reset and the rejoin the device must finish on its own.
 * - `verified → installing`: the image is already in the device's second slot (no transfer).
 * - `verified → done`: the device already runs the image.
 * - `installing → failed`: the device did not come back within the rejoin time.
 * - `failed`, `rolled-back`, `cancelled → discovered`: the technician asked for another attempt.
 */
export const TRANSITIONS: Readonly<Record<DeviceState, readonly DeviceState[]>> = {
  discovered: ['in-update-mode', 'failed', 'cancelled'],
  'in-update-mode': ['verified', 'failed', 'cancelled'],
  verified: ['transferring', 'installing', 'done', 'failed', 'cancelled'],
  transferring: ['installing', 'failed', 'cancelled'],
  installing: ['rejoined', 'rolled-back', 'failed'],
  rejoined: ['done', 'failed', 'cancelled'],
  done: [],
  failed: ['discovered'],
  'rolled-back': ['discovered'],
  cancelled: ['discovered'],
};

const ENDS: ReadonlySet<DeviceState> = new Set<DeviceState>(['done', 'failed', 'rolled-back', 'cancelled']);

/** True for `done`, `failed`, `rolled-back` and `cancelled`. */
export function isEnd(state: DeviceState): state is EndState {
  return ENDS.has(state);
}

/** True when the table allows `from → to`. */
export function canTransition(from: DeviceState, to: DeviceState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** True while a cancel or pause must wait: the device is between its test mark/reset and the rejoin. */
export function isUninterruptible(state: DeviceState): boolean {
  return state === 'installing';
}

/** An engine bug: a transition the table does not allow. */
export class IllegalTransitionError extends SiteflashError {
  constructor(
    readonly from: DeviceState,
    readonly to: DeviceState,
  ) {
    super('illegal-transition', `Internal error: a device cannot go from ${from} to ${to}.`, false, { from, to });
  }
}

/** Throws {@link IllegalTransitionError} unless `from → to` is in the table. */
export function assertTransition(from: DeviceState, to: DeviceState): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
}
