import { SiteflashError } from '../errors';

/** Stable ids of client-side session failures (device refusals are `SmpError`, kind `smp`). */
export type DeviceErrorKind =
  /** No answer within the request's timeout (after the retries that were safe). */
  | 'timeout'
  /** The link closed while a request waited, or a request was made on a closed link. */
  | 'link-closed'
  /** The device answered something that breaks the protocol (bad offsets, missing fields). */
  | 'protocol'
  /** The caller aborted. */
  | 'cancelled'
  /** The device does not fit what the caller asked (wrong board, image already pending, …). */
  | 'refused'
  /** The device came back after a reset running the old image. */
  | 'rolled-back'
  /** After a reconnect, a different device (or one that no longer says who it is) answered on the link. */
  | 'wrong-device';

/** A session or flow failure with a stable kind and a message the technician reads. */
export class DeviceError extends SiteflashError {
  constructor(
    override readonly kind: DeviceErrorKind,
    message: string,
    details?: Record<string, unknown>,
  ) {
    super(kind, message, kind !== 'protocol', details);
  }
}

/** The error to throw when `signal` aborted. */
export function cancelled(): DeviceError {
  return new DeviceError('cancelled', 'Cancelled.');
}
