import { OsCmd, SmpGroup } from '../smp';
import { DeviceError } from './errors';
import { isNotSupported, mcumgrParams, type McumgrParams } from './commands/os';
import type { SmpSession } from './session';

/** What a device that does not tell gets (smp.md §3.1): Zephyr's historic 384-byte buffer, one request at a time. */
export const DEFAULT_PARAMS: McumgrParams = { bufSize: 384, bufCount: 1 };

/** The device's buffers as the session uses them. */
export interface SessionParams extends McumgrParams {
  /** False when the device did not answer and {@link DEFAULT_PARAMS} apply. */
  fromDevice: boolean;
  /** Serial only: the device answered a {@link PROBE_PACKET}-byte packet without params (MCUboot serial recovery). */
  probed?: true;
  /** Serial only: lines the device's UART holds while it works on a request, the session's send-ahead budget ({@link SmpSession.lineBuffers}). */
  lineBuffers?: number;
}

/**
 * Lines MCUboot serial recovery holds while it works on a packet: `CONFIG_BOOT_LINE_BUFS` (Kconfig
 * default 8) buffers of 128 bytes, one of which its reader still holds (boot/zephyr/serial_adapter.c).
 */
export const RECOVERY_LINE_BUFFERS = 7;
/**
 * Lines assumed for any other serial SMP server: Zephyr's UART transport holds two 128-byte lines
 * while its SMP thread works (`CONFIG_UART_MCUMGR_RX_BUF_COUNT` 2, smp.md §11.2), the least of the
 * servers known here; a further line is lost on a UART without flow control.
 */
export const DEFAULT_SERIAL_LINE_BUFFERS = 2;

/**
 * The packet size tried on a serial device that does not tell its buffers: MCUboot serial recovery
 * answers packets up to 1020 bytes (1024 with the frame's length and CRC) while refusing mcumgr
 * params with rc 8 (smp.md §11.1).
 */
export const PROBE_PACKET = 1020;
/** How long the probe waits before taking silence for "too large" (the recording answered in < 1 ms). */
const PROBE_TIMEOUT_MS = 1500;

/** Requests in flight for a device with `bufCount` buffers: one buffer stays free for an answer (smp.md §5.6). */
export function windowFor(bufCount: number): number {
  return Math.max(1, bufCount - 1);
}

/**
 * Reads mcumgr params and sizes the session's window from them. A device that answers ENOTSUP or
 * nothing gets {@link DEFAULT_PARAMS} (window 1); other refusals and link loss are errors. On a
 * serial link a device that answers ENOTSUP is probed once with a 1020-byte packet: answered, it
 * gets 1024-byte buffers, one at a time (MCUboot serial recovery, smp.md §11.1). On a serial link
 * the session also gets its send-ahead budget in lines: {@link RECOVERY_LINE_BUFFERS} for a device
 * recognised as serial recovery by that probe, {@link DEFAULT_SERIAL_LINE_BUFFERS} for any other.
 */
export async function negotiateParams(
  session: SmpSession,
  options: { timeoutMs?: number; signal?: AbortSignal; /** Serial: the device's line buffers when known better (`--line-buffers N`). */ lineBuffers?: number } = {},
): Promise<SessionParams> {
  let params: SessionParams;
  try {
    params = { ...(await mcumgrParams(session, options.signal)), fromDevice: true };
  } catch (err) {
    const silent = err instanceof DeviceError && err.kind === 'timeout';
    if (!silent && !isNotSupported(err)) throw err;
    params = { ...DEFAULT_PARAMS, fromDevice: false };
    // A serial device that refused params may still take 1020-byte packets: try one, once.
    if (!silent && session.link.framing === 'serial' && (await takesLargePackets(session, options.signal))) {
      params = { bufSize: PROBE_PACKET + 4, bufCount: 1, fromDevice: false, probed: true };
    }
  }
  session.window = windowFor(params.bufCount);
  if (session.link.framing === 'serial') {
    params.lineBuffers = options.lineBuffers ?? (params.probed ? RECOVERY_LINE_BUFFERS : DEFAULT_SERIAL_LINE_BUFFERS);
    session.lineBuffers = params.lineBuffers;
  }
  return params;
}

/**
 * Sends one echo request of exactly {@link PROBE_PACKET} bytes. Any answer, even a refusal (the
 * recovery's 164-byte response buffer answers rc 2), shows the device took the whole packet; a
 * device with smaller buffers drops it and stays silent (smp.md §11.1–11.2).
 */
async function takesLargePackets(session: SmpSession, signal?: AbortSignal): Promise<boolean> {
  // 8-byte header + map head + "d" + a text head of 3 bytes (256..65535 characters) + the text.
  const text = 'x'.repeat(PROBE_PACKET - 8 - 1 - 2 - 3);
  try {
    await session.exchange({ op: 'write', group: SmpGroup.os, id: OsCmd.echo, body: { d: text }, timeoutMs: PROBE_TIMEOUT_MS, signal });
    return true;
  } catch (err) {
    if (err instanceof DeviceError && err.kind === 'timeout') return false;
    throw err;
  }
}

/**
 * A window the user chose (`--window N`, `--no-pipeline`) in place of the one from mcumgr params.
 * A window of 1 means no pipelining at all: nothing of the next request goes out before the answer
 * (no serial send-ahead either), for a device that loses what arrives while it works.
 */
export function chooseWindow(session: SmpSession, window: number): void {
  session.window = window;
  if (window <= 1 && session.lineBuffers !== undefined) session.lineBuffers = 0;
}
