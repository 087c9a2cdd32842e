import { SiteflashError } from '../errors';

/** Stable ids of gateway failures the client raises itself (device refusals stay SmpError). */
export type GatewayErrorKind = 'not-a-gateway' | 'stage-mismatch' | 'batch-lost' | 'not-in-batch';

/** A gateway failure with a stable kind and a message the technician reads. */
export class GatewayError extends SiteflashError {
  constructor(
    override readonly kind: GatewayErrorKind,
    message: string,
  ) {
    super(kind, message, true);
  }
}
