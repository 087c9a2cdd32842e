/**
 * The one interface every SMP packet framing implements (serial §6, BLE §7, HID, raw/UDP §8).
 * Framings are pure: the decoder is a state machine fed chunks and a time value, no timers.
 */

/** Why bytes were thrown away by a decoder — the main diagnostic for a bad cable or radio. */
export type DropReason =
  /** A partial packet was abandoned because a new packet started before it was complete. */
  | 'incomplete'
  /** A partial packet got no more bytes within the timeout. */
  | 'timeout'
  /** Serial: a line's base64 text does not decode on its own. */
  | 'bad-base64'
  /** Serial: the CRC-16 over the packet does not match. */
  | 'bad-crc'
  /** Serial: a line longer than the decoder accepts. */
  | 'line-too-long'
  /** A continuation line/report with no packet in progress. */
  | 'stray-continuation'
  /** More bytes than the frame or header announced. */
  | 'too-long'
  /** The frame's length field or the SMP header's length is impossible or inconsistent. */
  | 'bad-length'
  /** HID: a report with a wrong report id or an impossible control byte. */
  | 'bad-report'
  /** Raw: trailing bytes that form no whole packet. */
  | 'truncated';

/** One run of dropped bytes. */
export interface Dropped {
  reason: DropReason;
  /** Bytes as received on the link (serial: whole lines including markers and newline). */
  bytes: number;
}

/** What one {@link FrameDecoder.push} produced. */
export interface DecodeOutput {
  /** Whole SMP packets (header + body), in arrival order. */
  packets: Uint8Array[];
  dropped: Dropped[];
  /** Serial only: non-SMP console/log lines, without the newline. */
  console: string[];
}

/** A streaming decoder: feed it link data as it comes, get whole packets. */
export interface FrameDecoder {
  /**
   * Feeds one chunk (serial: any slice of the byte stream; BLE: one notification; HID: one
   * report; raw: one datagram). `nowMs` is the current time, used only to expire a partial
   * packet; pass an empty chunk to just let time pass.
   */
  push(chunk: Uint8Array, nowMs: number): DecodeOutput;
  /** Forgets any partial packet and buffered bytes (e.g. after the link reopened). */
  reset(): void;
}

/** A packet framing for one kind of link. */
export interface Framing {
  /** Cuts one SMP packet into the units to write to the link, each at most the link's write size. */
  encode(packet: Uint8Array): Uint8Array[];
  createDecoder(): FrameDecoder;
}

/** Options shared by the framing factories. */
export interface FramingOptions {
  /** Largest single write (BLE: ATT MTU − 3). Ignored by serial and raw. */
  maxWrite?: number;
  /** Time after which a partial packet is dropped (default 2000 ms, smp.md §6.2). */
  partialTimeoutMs?: number;
}

/** Default partial-packet expiry (smp.md §6.2: "e.g. 2 s without a continuation line"). */
export const DEFAULT_PARTIAL_TIMEOUT_MS = 2000;

/** An empty {@link DecodeOutput} to fill. */
export function emptyOutput(): DecodeOutput {
  return { packets: [], dropped: [], console: [] };
}
