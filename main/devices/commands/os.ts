import { MgmtErr, OsCmd, OsErr, SmpError, SmpGroup } from '../../smp';
import { DeviceError } from '../errors';
import type { SmpSession } from '../session';
import { field, optionalField } from './answer-fields';

/** Sends `text` and returns the device's echo of it (OS group, smp.md §3.1 id 0). */
export async function echo(session: SmpSession, text: string, signal?: AbortSignal): Promise<string> {
  const body = await session.request({ op: 'write', group: SmpGroup.os, id: OsCmd.echo, body: { d: text }, idempotent: true, signal });
  return field(body, 'r', 'string');
}

/**
 * Asks the device to reset (smp.md §3.1 id 5). The answer comes before the reboot. Never resent:
 * after a lost answer the caller waits and reconnects (smp.md §10). `force` overrides an
 * application's refusal (rc 10 EBUSY) of an earlier attempt.
 */
export async function reset(session: SmpSession, options: { force?: boolean; signal?: AbortSignal } = {}): Promise<void> {
  await session.request({ op: 'write', group: SmpGroup.os, id: OsCmd.reset, body: options.force ? { force: 1 } : {}, signal: options.signal });
}

/** The device's SMP buffers (smp.md §3.1 id 6). */
export interface McumgrParams {
  bufSize: number;
  bufCount: number;
}

/** Reads `buf_size` and `buf_count` (smp.md §3.1 id 6). */
export async function mcumgrParams(session: SmpSession, signal?: AbortSignal): Promise<McumgrParams> {
  const body = await session.request({ op: 'read', group: SmpGroup.os, id: OsCmd.mcumgrParams, idempotent: true, signal });
  const bufSize = field(body, 'buf_size', 'number');
  const bufCount = field(body, 'buf_count', 'number');
  if (bufSize < 32 || bufCount < 1) throw new DeviceError('protocol', `The device reported impossible SMP buffers (${bufCount} × ${bufSize} bytes).`);
  return { bufSize, bufCount };
}

/** OS/application info text (smp.md §3.1 id 7); `format` letters as in `uname` (`a` = all). */
export async function osInfo(session: SmpSession, format?: string, signal?: AbortSignal): Promise<string> {
  const body = await session.request({ op: 'read', group: SmpGroup.os, id: OsCmd.info, body: format === undefined ? {} : { format }, idempotent: true, signal });
  return field(body, 'output', 'string');
}

/** Bootloader name and, when the device tells, its mode (smp.md §3.1 id 8). */
export interface BootloaderInfo {
  bootloader: string;
  /** −1 unknown, 0 single, 1 swap with scratch, 2 overwrite-only, 3 swap without scratch, 4/5 direct-XIP, 6 RAM load, 7 firmware loader. */
  mode?: number;
  noDowngrade?: boolean;
}

/** Reads the bootloader's name, then its mode if it answers the `mode` query. */
export async function bootloaderInfo(session: SmpSession, signal?: AbortSignal): Promise<BootloaderInfo> {
  const body = await session.request({ op: 'read', group: SmpGroup.os, id: OsCmd.bootloaderInfo, idempotent: true, signal });
  const info: BootloaderInfo = { bootloader: field(body, 'bootloader', 'string') };
  try {
    const m = await session.request({ op: 'read', group: SmpGroup.os, id: OsCmd.bootloaderInfo, body: { query: 'mode' }, idempotent: true, signal });
    const mode = optionalField(m, 'mode', 'number');
    if (mode !== undefined) info.mode = mode;
    if (m['no-downgrade'] === true) info.noDowngrade = true;
  } catch (err) {
    if (!isNotSupported(err)) throw err;
  }
  return info;
}

/** True for a refusal meaning "this device does not do that": ENOTSUP, or a group's "no answer to this query". */
export function isNotSupported(err: unknown): boolean {
  if (!(err instanceof SmpError)) return false;
  return (err.group === undefined && err.code === MgmtErr.ENOTSUP) || (err.group === SmpGroup.os && err.code === OsErr.QUERY_YIELDS_NO_ANSWER);
}
