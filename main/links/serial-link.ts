import { SerialPortStream } from '@serialport/stream';
import { LinkError, type Link, type LinkCloseReason } from './link';
import { Listeners } from './listeners';
import { hangupAwareBinding, type SerialBinding } from './serial-binding';
import { serialOpenError } from './serial-errors';

/** Where and how to open a serial link. */
export interface SerialLinkOptions {
  /** OS path, e.g. `/dev/ttyACM0` or `COM3`. */
  path: string;
  baudRate: number;
  /** serialport binding; the platform's (hang-up aware) by default, MockBinding in tests. */
  binding?: SerialBinding;
  /** How long a write may wait for the OS to take it before the port counts as stalled (default {@link writeStallMs}). */
  stallMs?: (bytes: number) => number;
}

/** What the link may still have in the OS's output buffer from earlier writes: a few requests' lines (window + send-ahead). */
const EARLIER_BYTES = 8 * 1024;
/** Beyond the time on the wire: as long as a device may take to answer a request (smp.md §10). */
const STALL_GRACE_MS = 5000;

/**
 * A write of `bytes` is handed to the OS once the bytes before it left: at most `bytes` plus what
 * earlier writes left in the OS buffer, at 10 bits per byte on the wire, and a request's answer time
 * more for a device that reads its port only between requests. 115200 baud, a 1.4 KB request:
 * 5.8 s; 9600 baud: 15.0 s.
 */
export function writeStallMs(bytes: number, baudRate: number): number {
  return STALL_GRACE_MS + Math.ceil(((bytes + EARLIER_BYTES) * 10 * 1000) / baudRate);
}

/**
 * A {@link Link} over one serial port (USB CDC-ACM, UART, pseudo-terminal), framing `serial`.
 *
 * Each open makes a fresh port stream, so a link closed by an unplug can be opened again once the
 * device is back. A close we asked for is reported as `closed`; the port going away as `unplugged`.
 *
 * A port that takes no data (a USB serial device whose firmware stopped reading, a wedged adapter)
 * would hold a write, and the request behind it, forever: a write the OS has not taken within
 * {@link writeStallMs} fails, and the link closes with that reason, so an upload reopens the port
 * and resumes from the device's offset, or ends with the reason, instead of standing still.
 */
export class SerialLink implements Link {
  readonly kind = 'serial';
  readonly framing = 'serial';
  readonly maxWrite = Infinity;
  readonly id: string;
  private port: SerialPortStream | undefined;
  private readonly data = new Listeners<Uint8Array>();
  private readonly closes = new Listeners<LinkCloseReason>();
  private readonly binding: SerialBinding;

  constructor(readonly options: SerialLinkOptions) {
    this.id = `serial:${options.path}`;
    this.binding = options.binding ?? hangupAwareBinding();
  }

  get isOpen(): boolean {
    return this.port !== undefined;
  }

  async open(signal?: AbortSignal): Promise<void> {
    if (this.port) return;
    signal?.throwIfAborted();
    const { path, baudRate } = this.options;
    const port = new SerialPortStream({ binding: this.binding, path, baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(serialOpenError(err, path)) : resolve())));
    if (signal?.aborted) {
      await new Promise<void>((resolve) => port.close(() => resolve()));
      signal.throwIfAborted();
    }
    this.port = port;
    port.on('data', (chunk: Buffer) => this.data.emit(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
    // Write errors also arrive here; the close event that follows carries the reason.
    port.on('error', () => undefined);
    port.on('close', (err: (Error & { disconnected?: boolean }) | null) => {
      if (this.port !== port) return;
      this.port = undefined;
      this.closes.emit(closeReason(err));
    });
  }

  async close(): Promise<void> {
    if (this.port) await this.drop(this.port, { kind: 'closed' });
  }

  async write(data: Uint8Array): Promise<void> {
    const port = this.port;
    if (!port) throw new LinkError('not-open', `The serial port ${this.options.path} is not open.`);
    const { path, baudRate } = this.options;
    const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const ms = (this.options.stallMs ?? ((n) => writeStallMs(n, baudRate)))(buffer.length);
    await new Promise<void>((resolve, reject) => {
      const stalled = setTimeout(() => {
        const secs = ms >= 1000 ? `${Number((ms / 1000).toFixed(1))} s` : `${ms} ms`;
        const message = `${path} took no data for ${secs}: the device is not reading its port.`;
        reject(new LinkError('io', message, 'Unplug the device and plug it in again; if it still does not read, power-cycle it.'));
        void this.drop(port, { kind: 'error', message });
      }, ms);
      // Only a guard: it never keeps the process alive by itself (the open port does).
      stalled.unref();
      const fail = (err: Error) => reject(new LinkError('io', `Writing to ${path} failed: ${err.message}`));
      // The callback fires once the binding handed the bytes to the OS, so a caller that awaits each
      // write never fills the stream's buffer: that is the back-pressure, without a 'drain' wait.
      port.write(buffer, (err) => {
        clearTimeout(stalled);
        if (err) fail(err);
        else resolve();
      });
    });
  }

  /** Closes `port` if it is still this link's port, and tells why: our own close, or a stalled write. */
  private async drop(port: SerialPortStream, reason: LinkCloseReason): Promise<void> {
    if (this.port !== port) return;
    this.port = undefined;
    await new Promise<void>((resolve) => port.close(() => resolve()));
    this.closes.emit(reason);
  }

  onData(listener: (data: Uint8Array) => void): () => void {
    return this.data.add(listener);
  }

  onClose(listener: (reason: LinkCloseReason) => void): () => void {
    return this.closes.add(listener);
  }
}

function closeReason(err: (Error & { disconnected?: boolean }) | null): LinkCloseReason {
  if (!err) return { kind: 'closed' };
  if (err.disconnected) return { kind: 'unplugged', message: `The device went away: ${err.message}` };
  return { kind: 'error', message: err.message };
}
