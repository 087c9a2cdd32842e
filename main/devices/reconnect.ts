import { sleep, systemClock, type Clock } from '../links/clock';
import { LinkError, type Link } from '../links/link';
import { DeviceError } from './errors';

/** How to wait for a device to come back. */
export interface ReconnectOptions {
  clock?: Clock;
  /** First wait between attempts (default 200 ms); doubles up to {@link maxDelayMs}. */
  initialDelayMs?: number;
  /** Longest wait between attempts (default 2 s). */
  maxDelayMs?: number;
  /** Give up after this long (default 60 s: a swap of a large image takes a while). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Opens `link` again, retrying with exponential backoff while the port is missing or still busy
 * (a rebooting USB device re-enumerates). A permission error is final: waiting will not fix it.
 */
export async function reopenWithBackoff(link: Link, o: ReconnectOptions = {}): Promise<void> {
  const clock = o.clock ?? systemClock;
  const deadline = clock.now() + (o.timeoutMs ?? 60_000);
  let delay = o.initialDelayMs ?? 200;
  for (;;) {
    o.signal?.throwIfAborted();
    if (link.isOpen) return;
    try {
      await link.open(o.signal);
      return;
    } catch (err) {
      if (err instanceof LinkError && err.kind === 'permission-denied') throw err;
      if (clock.now() + delay > deadline) {
        throw new DeviceError('link-closed', `The device did not come back on ${link.id} within ${Math.round((o.timeoutMs ?? 60_000) / 1000)} s.`, {
          last: err instanceof Error ? err.message : String(err),
        });
      }
    }
    await sleep(clock, delay, o.signal);
    delay = Math.min(delay * 2, o.maxDelayMs ?? 2000);
  }
}
