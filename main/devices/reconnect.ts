import { sleep, systemClock, type Clock } from '../links/clock';
import { LinkError, type Link } from '../links/link';
import { reset } from './commands/os';
import { DeviceError } from './errors';
import type { SmpSession } from './session';

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

/** Sends reset. A lost answer or a link that dropped at once may mean the reset happened (smp.md §10): the caller goes and looks. */
export async function resetThenLook(session: SmpSession, signal: AbortSignal): Promise<void> {
  try {
    await reset(session, { signal });
  } catch (err) {
    if (!(err instanceof DeviceError && (err.kind === 'timeout' || err.kind === 'link-closed'))) throw err;
  }
}

/** How to wait for a device (or a gateway) to answer again after its reset. */
export interface RejoinOptions<T> {
  clock: Clock;
  /** How long to wait for the link to drop before asking on it again (a UART behind a bridge stays open). */
  settleMs: number;
  timeoutMs: number;
  signal: AbortSignal;
  /** Asks who answers; a timeout or a closed link means "still booting". */
  identify: (signal: AbortSignal) => Promise<T>;
  /** The error when nothing answered within `timeoutMs`, e.g. "The device did not come back within 60 s of its reset". */
  gaveUp: (seconds: number) => Error;
}

/**
 * After a reset: a USB device re-enumerates and its port closes; a UART behind a bridge stays open,
 * so wait `settleMs` for the drop. Then reopen the link when it closed and ask who answers until
 * `identify` gives an answer, retrying while the device is booting, until `timeoutMs`.
 */
export async function rejoinAfterReset<T>(link: Link, o: RejoinOptions<T>): Promise<T> {
  if (link.isOpen) {
    const dropped = new AbortController();
    const off = link.onClose(() => dropped.abort());
    await sleep(o.clock, o.settleMs, AbortSignal.any([dropped.signal, o.signal])).catch(() => undefined);
    off();
    o.signal.throwIfAborted();
  }
  const deadline = o.clock.now() + o.timeoutMs;
  for (;;) {
    o.signal.throwIfAborted();
    try {
      if (!link.isOpen) await reopenWithBackoff(link, { clock: o.clock, timeoutMs: Math.max(0, deadline - o.clock.now()), signal: o.signal });
      return await o.identify(o.signal);
    } catch (err) {
      const booting = err instanceof DeviceError && (err.kind === 'timeout' || err.kind === 'link-closed');
      if (!booting) throw err;
      if (o.clock.now() >= deadline) throw o.gaveUp(Math.round(o.timeoutMs / 1000));
      await sleep(o.clock, 200, o.signal);
    }
  }
}
