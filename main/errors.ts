import type { ErrorValue } from '../preload/api';

/**
 * An error with a stable kind the code switches on and a message the technician reads.
 * `userFault` marks errors caused by input or the world (wrong image, device out of range),
 * kept apart from bugs in siteflash itself.
 */
export class SiteflashError extends Error {
  override readonly name = 'SiteflashError';
  constructor(
    readonly kind: string,
    message: string,
    readonly userFault = true,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  toValue(): ErrorValue {
    return { kind: this.kind, message: this.message, userFault: this.userFault, ...(this.details ? { details: this.details } : {}) };
  }
}

/** Turns anything thrown into an error value that crosses process boundaries intact. */
export function toErrorValue(err: unknown): ErrorValue {
  if (err instanceof SiteflashError) return err.toValue();
  if (err && typeof err === 'object' && 'kind' in err && typeof (err as { kind: unknown }).kind === 'string') {
    const e = err as { kind: string; message?: unknown; hint?: unknown };
    const message = typeof e.message === 'string' ? e.message : String(err);
    return { kind: e.kind, message: typeof e.hint === 'string' ? `${message} ${e.hint}` : message, userFault: true };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { kind: 'internal', message: `Internal error: ${message}`, userFault: false };
}
