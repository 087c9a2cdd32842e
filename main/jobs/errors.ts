import { DeviceError } from '../devices/errors';
import { SiteflashError } from '../errors';
import { LinkError } from '../links/link';
import { MgmtErr, SmpError } from '../smp';

/** Reasons the engine itself ends a device with (user faults, never retried). */
export type JobErrorKind =
  | 'wrong-board'
  /** The image's hash TLV is one the device's SMP server does not list (SHA-512 on Zephyr 3.x). */
  | 'hash-not-listed'
  | 'wrong-device'
  | 'not-in-update-mode'
  | 'no-image-for-device'
  | 'downgrade'
  | 'security-counter-lower'
  | 'bad-image'
  | 'led-not-confirmed'
  | 'rejoin-timeout'
  | 'rolled-back'
  | 'job-not-found'
  | 'job-device-not-found'
  | 'job-invalid'
  | 'locked'
  | 'pinned-version-missing'
  /** The gateway's own firmware went first and did not end done: its devices were not started. */
  | 'gateway-not-updated';

/** A permanent reason a device failed, with a message the technician reads. */
export class JobError extends SiteflashError {
  constructor(
    override readonly kind: JobErrorKind,
    message: string,
  ) {
    super(kind, message, true);
  }
}

/** A failure sorted for the engine: retry it (transient) or end the device with the reason. */
export interface Classified {
  transient: boolean;
  kind: string;
  message: string;
}

const TRANSIENT_DEVICE = new Set(['timeout', 'link-closed']);
const TRANSIENT_LINK = new Set(['not-found', 'busy', 'io', 'out-of-range', 'not-open']);

/**
 * Transient: timeouts, disconnects, a port that is missing or busy for now, a device answering
 * EBUSY — worth another try that resumes from the device's offset. Everything else (wrong board,
 * bad image, a device refusing, a protocol break, an internal error) is permanent.
 */
export function classify(err: unknown): Classified {
  if (err instanceof DeviceError) return { transient: TRANSIENT_DEVICE.has(err.kind), kind: err.kind, message: err.message };
  if (err instanceof LinkError) return { transient: TRANSIENT_LINK.has(err.kind), kind: `link-${err.kind}`, message: err.hint ? `${err.message} ${err.hint}` : err.message };
  if (err instanceof SmpError) {
    const busy = err.group === undefined && err.code === MgmtErr.EBUSY;
    // The device's own board check (smp.md §5.2 `rsn`) is the same fault as ours: the wrong board.
    const board = !busy && /board/i.test(err.reason ?? '');
    return { transient: busy, kind: busy ? 'device-busy' : board ? 'wrong-board' : 'device-refused', message: err.message };
  }
  if (err instanceof SiteflashError) return { transient: false, kind: err.kind, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { transient: false, kind: 'internal', message: `Internal error: ${message}` };
}
