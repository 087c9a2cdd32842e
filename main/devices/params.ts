import { DeviceError } from './errors';
import { isNotSupported, mcumgrParams, type McumgrParams } from './commands/os';
import type { SmpSession } from './session';

/** What a device that does not tell gets (smp.md §3.1): Zephyr's historic 384-byte buffer, one request at a time. */
export const DEFAULT_PARAMS: McumgrParams = { bufSize: 384, bufCount: 1 };

/** The device's buffers as the session uses them. */
export interface SessionParams extends McumgrParams {
  /** False when the device did not answer and {@link DEFAULT_PARAMS} apply. */
  fromDevice: boolean;
}

/** Requests in flight for a device with `bufCount` buffers: one buffer stays free for an answer (smp.md §5.6). */
export function windowFor(bufCount: number): number {
  return Math.max(1, bufCount - 1);
}

/**
 * Reads mcumgr params and sizes the session's window from them. A device that answers ENOTSUP or
 * nothing gets {@link DEFAULT_PARAMS} (window 1); other refusals and link loss are errors.
 */
export async function negotiateParams(session: SmpSession, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<SessionParams> {
  let params: SessionParams;
  try {
    params = { ...(await mcumgrParams(session, options.signal)), fromDevice: true };
  } catch (err) {
    const silent = err instanceof DeviceError && err.kind === 'timeout';
    if (!silent && !isNotSupported(err)) throw err;
    params = { ...DEFAULT_PARAMS, fromDevice: false };
  }
  session.window = windowFor(params.bufCount);
  return params;
}
