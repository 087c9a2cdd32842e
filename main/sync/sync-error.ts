import { SiteflashError } from '../errors';

/**
 * Why a sync step failed:
 * - `offline`: no answer (network down, DNS, timeout, connection dropped) — retried with backoff.
 * - `server-unavailable`: the server answered 5xx — retried with backoff.
 * - `unauthorized`: the token was refused — needs the technician to sign in again.
 * - `bad-response`: the server answered something that does not match the API — a bug somewhere.
 * - `not-found`: the site, project or bundle does not exist for this technician.
 * - `bundle-corrupt` / `bundle-rejected`: a downloaded bundle failed its hash or verification.
 * - `insecure-url`: the cloud URL is plain http:// to another machine; nothing is sent to it.
 */
export type SyncErrorKind =
  | 'offline'
  | 'server-unavailable'
  | 'unauthorized'
  | 'bad-response'
  | 'not-found'
  | 'bundle-corrupt'
  | 'bundle-rejected'
  | 'insecure-url';

/** A sync failure with a stable kind and a message the technician can read. */
export class SyncError extends SiteflashError {
  constructor(
    override readonly kind: SyncErrorKind,
    message: string,
    details?: Record<string, unknown>,
  ) {
    super(kind, message, kind !== 'bad-response', details);
  }

  /** True for failures that go away by themselves; the outbox retries them with backoff. */
  get transient(): boolean {
    return this.kind === 'offline' || this.kind === 'server-unavailable';
  }
}
