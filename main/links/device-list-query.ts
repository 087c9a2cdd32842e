import { fieldIdentity, type DeviceIdentity } from '../devices/commands/field';
import { isNotSupported, mcumgrParams, osInfo, type McumgrParams } from '../devices/commands/os';
import { withLinkSession } from '../devices/link-session';
import { systemClock, type Clock } from './clock';
import type { Link } from './link';

/** What a device says about itself after a short SMP query. */
export interface DeviceReport {
  /** `field`: it answered the field group identity; `os`: a plain Zephyr/MCUboot device (OS group only). */
  source: 'field' | 'os';
  identity?: DeviceIdentity;
  /** OS/application info text (`uname -a` style), when the device answers it. */
  osInfo?: string;
  params?: McumgrParams;
}

/** Options of {@link queryDevice}. */
export interface QueryOptions {
  clock?: Clock;
  /** Per-request timeout; short, because a listing should not hang on one silent device (default 1500 ms). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A listing waits this long for each answer. */
export const QUERY_TIMEOUT_MS = 1500;

/**
 * Opens `link`, asks the field group identity (field-group.md command 0) and, when the device
 * has no field group, the OS info and mcumgr parameters (smp.md §3.1) instead; closes the link.
 * The field group adds, it never replaces: a plain Zephyr device still gets a report.
 */
export async function queryDevice(link: Link, options: QueryOptions = {}): Promise<DeviceReport> {
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.timeoutMs ?? QUERY_TIMEOUT_MS;
  return withLinkSession(
    link,
    async (session) => {
      const identity = await fieldIdentity(session, options.signal);
      if (identity) return { source: 'field', identity };
      const report: DeviceReport = { source: 'os' };
      const info = await orUnsupported(osInfo(session, 'a', options.signal));
      if (info !== undefined) report.osInfo = info;
      const params = await orUnsupported(mcumgrParams(session, options.signal));
      if (params !== undefined) report.params = params;
      return report;
    },
    { clock, timeoutMs, retries: 0, ...(options.signal ? { signal: options.signal } : {}) },
  );
}

async function orUnsupported<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isNotSupported(err)) return undefined;
    throw err;
  }
}
