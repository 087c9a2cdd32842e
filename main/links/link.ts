/**
 * A Link is a byte or packet pipe to one device or gateway. The SMP client never knows which
 * link it runs on: it only picks the framing the link names (see {@link LinkFraming}).
 *
 * Serial, BLE, HID, UDP and loopback links all implement this one interface; they are made in one
 * factory and owned by the main process, keyed by {@link Link.id}.
 */
export interface Link {
  /** Stable id, `<kind>:<address>`, e.g. `serial:/dev/ttyACM0`, `ble:c0:ff:ee:00:00:01`. */
  readonly id: string;
  readonly kind: LinkKind;
  /**
   * How SMP packets travel on this link:
   * - `serial`: a byte stream; packets are wrapped in SMP serial frames (smp.md §6).
   * - `ble`: each write and notification carries a slice of a packet, at most {@link maxWrite} bytes;
   *   a packet is whole when 8 + header length bytes have arrived (smp.md §7).
   * - `hid`: 64-byte reports with a report id and a control byte (hid-transport.md).
   * - `raw`: one write or one data event is exactly one whole packet (UDP, loopback).
   */
  readonly framing: LinkFraming;
  /** Largest single write in bytes (BLE: ATT MTU − 3; HID: 65 with the report id); Infinity for streams. */
  readonly maxWrite: number;
  /** True between a resolved {@link open} and the first close event. */
  readonly isOpen: boolean;
  /** Opens the link; rejects with a {@link LinkError} (not found, permission, busy, …). */
  open(signal?: AbortSignal): Promise<void>;
  /** Closes the link; resolves once closed. Emits a close event with reason `closed` if it was open. */
  close(): Promise<void>;
  /** Writes one unit (bytes for a stream, one slice or report for packet links). Rejects if not open. */
  write(data: Uint8Array): Promise<void>;
  /** Subscribes to incoming data. Returns an unsubscribe function. */
  onData(listener: (data: Uint8Array) => void): () => void;
  /** Subscribes to the link closing for any reason. Returns an unsubscribe function. */
  onClose(listener: (reason: LinkCloseReason) => void): () => void;
  /**
   * Optional, for links that carry each packet through another exchange (a gateway's forward): a
   * unit that was written but refused on the way, so the request it carried can fail at once.
   */
  onUnitRefused?(listener: (unit: Uint8Array, err: Error) => void): () => void;
}

export type LinkKind = 'serial' | 'ble' | 'hid' | 'udp' | 'loopback';
export type LinkFraming = 'serial' | 'ble' | 'hid' | 'raw';

/**
 * Why a link closed. `closed` is our own close(); `unplugged` (serial/HID) and `disconnected` (BLE)
 * are the device going away, which a session may answer by reopening and resuming.
 */
export type LinkCloseReason =
  | { kind: 'closed' }
  | { kind: 'unplugged'; message: string }
  | { kind: 'disconnected'; message: string }
  | { kind: 'error'; message: string };

/** Stable ids of link failures; the message is for the technician. */
export type LinkErrorKind =
  | 'not-found'
  | 'permission-denied'
  | 'busy'
  | 'adapter-off'
  | 'out-of-range'
  | 'not-open'
  | 'io';

export class LinkError extends Error {
  override readonly name = 'LinkError';
  constructor(
    readonly kind: LinkErrorKind,
    message: string,
    /** What the technician can do about it, when there is something. */
    readonly hint?: string,
  ) {
    super(message);
  }
}
