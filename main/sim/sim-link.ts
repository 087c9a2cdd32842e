import { LinkError, type Link, type LinkCloseReason, type LinkFraming } from '../links/link';
import { Listeners } from '../links/listeners';
import type { SimDevice } from './device';
import { HID_REPORT_SIZE } from '../smp/hid-framing';
import { SimTransport, type SimTransportOptions } from './sim-transport';

/** Options of {@link createSimLink}. */
export interface SimLinkOptions extends Omit<SimTransportOptions, 'framing'> {
  /** Framing on the link (default `raw`: one write = one packet). */
  framing?: LinkFraming;
  /** The link drops when the device resets or loses power, as USB CDC-ACM and BLE links do (default true). */
  unplugOnReset?: boolean;
  /** Link id suffix (default the device id). */
  name?: string;
}

/**
 * An in-process {@link Link} whose far end is a simulated device: what a client session writes
 * reaches the device through a {@link SimTransport}, answers come back as data events.
 */
export function createSimLink(device: SimDevice, opts: SimLinkOptions): Link & { readonly transport: SimTransport } {
  return new SimLink(device, opts);
}

class SimLink implements Link {
  readonly kind = 'loopback';
  readonly id: string;
  readonly framing: LinkFraming;
  readonly maxWrite: number;
  readonly transport: SimTransport;
  private open_ = false;
  private readonly data = new Listeners<Uint8Array>();
  private readonly closed = new Listeners<LinkCloseReason>();

  constructor(
    private readonly device: SimDevice,
    opts: SimLinkOptions,
  ) {
    this.framing = opts.framing ?? 'raw';
    this.id = `loopback:sim/${opts.name ?? device.id}`;
    this.maxWrite = this.framing === 'ble' ? (opts.maxWrite ?? 20) : this.framing === 'hid' ? HID_REPORT_SIZE : Infinity;
    this.transport = new SimTransport(device, { ...opts, framing: this.framing });
    this.transport.onOutput((unit) => this.open_ && this.data.emit(unit));
    this.transport.onLinkState((s) => s === 'disconnected' && this.drop('The simulated link broke.'));
    if (opts.unplugOnReset !== false) device.onPower((e) => e === 'down' && this.drop('The simulated device restarted.'));
  }

  get isOpen(): boolean {
    return this.open_;
  }

  async open(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (!this.device.isUp) throw new LinkError('not-found', 'The simulated device is not there (restarting or without power).', 'Wait for it to boot.');
    this.open_ = true;
  }

  async close(): Promise<void> {
    if (!this.open_) return;
    this.open_ = false;
    this.closed.emit({ kind: 'closed' });
  }

  async write(data: Uint8Array): Promise<void> {
    if (!this.open_) throw new LinkError('not-open', 'The simulated link is not open.');
    this.transport.input(data);
  }

  onData(listener: (data: Uint8Array) => void): () => void {
    return this.data.add(listener);
  }

  onClose(listener: (reason: LinkCloseReason) => void): () => void {
    return this.closed.add(listener);
  }

  private drop(message: string): void {
    if (!this.open_) return;
    this.open_ = false;
    this.closed.emit({ kind: 'unplugged', message });
  }
}
