import type { SmpBody } from '../smp/cbor';
import type { Clock } from '../links/clock';
import type { SmpHeader } from '../smp/packet';
import { groupErrorBody } from '../smp/smp-error';
import type { SimFlash } from './flash';
import type { TimingModel } from './timing';

/** A decoded request as the group handlers see it. */
export interface SimRequest {
  header: SmpHeader;
  body: SmpBody;
}

/** A handler's answer: the body, how long the work takes, and what to do once it is sent. */
export interface SimReply {
  body: SmpBody;
  /** Time the device is busy before the answer goes out (flash erase/write), ms. */
  workMs?: number;
  /** Runs right after the answer was handed to the transport (e.g. schedule the reset). */
  after?: () => void;
  /**
   * The answer is not known yet (a gateway waiting on its radio): `body` is ignored and the reply
   * is given later through `give`. The device stays busy meanwhile, as Zephyr's SMP thread does.
   */
  defer?: (give: (reply: SimReply) => void) => void;
}

/** One management group of the simulated device. `handle` returns undefined for an unknown id/op (→ ENOTSUP). */
export interface SimGroup {
  readonly group: number;
  handle(req: SimRequest): SimReply | undefined;
  /** RAM state is lost: the device reset or lost power. */
  onReboot?(): void;
}

/** LED pattern names (field-group.md "LED patterns"). */
export type LedPattern = 'update-mode' | 'receiving' | 'installing' | 'joined' | 'error' | 'identify' | 'off';

/** What group handlers may use of the device. */
export interface SimDeviceContext {
  readonly board: string;
  readonly hwRev: string;
  readonly id: string;
  readonly bufSize: number;
  readonly bufCount: number;
  readonly radio: '6lowpan' | 'mioty' | 'none';
  readonly clock: Clock;
  readonly timing: TimingModel;
  readonly flash: SimFlash;
  readonly mode: 'normal' | 'update';
  readonly led: LedPattern;
  /** Sets the LED; `forMs` makes it a one-off that falls back to the mode's pattern. */
  setLed(pattern: LedPattern, forMs?: number): void;
  /** Resets the device `timing.resetDelayMs` after now (the answer goes out first). */
  scheduleReset(): void;
  /** The PAN id the running network stack uses (applied settings), if any. */
  panId(): number | undefined;
}

/** A success reply. */
export function ok(body: SmpBody = {}, workMs?: number): SimReply {
  return workMs === undefined ? { body } : { body, workMs };
}

/** A group error in the shape the request's version asks for (smp.md §2). */
export function groupFail(req: SimRequest, group: number, rc: number, rsn?: string): SimReply {
  const body = groupErrorBody(req.header.version, group, rc);
  return { body: rsn ? { ...body, rsn } : body };
}

/** A legacy/SMP-level error `{"rc": n}`, whatever the version (smp.md §2). */
export function legacyFail(rc: number): SimReply {
  return { body: { rc } };
}

/** True for a write request (op 2). */
export function isWrite(req: SimRequest): boolean {
  return req.header.op === 2;
}

/** Byte-wise equality, shared with the client (main/smp/bytes.ts); re-exported for the groups. */
export { sameBytes } from '../smp/bytes';
