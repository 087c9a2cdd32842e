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
}

/**
 * A {@link Link} over one serial port (USB CDC-ACM, UART, pseudo-terminal), framing `serial`.
 *
 * Each open makes a fresh port stream, so a link closed by an unplug can be opened again once the
 * device is back. A close we asked for is reported as `closed`; the port going away as `unplugged`.
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
    const port = this.port;
    if (!port) return;
    this.port = undefined;
    await new Promise<void>((resolve) => port.close(() => resolve()));
    this.closes.emit({ kind: 'closed' });
  }

  async write(data: Uint8Array): Promise<void> {
    const port = this.port;
    if (!port) throw new LinkError('not-open', `The serial port ${this.options.path} is not open.`);
    const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error) => reject(new LinkError('io', `Writing to ${this.options.path} failed: ${err.message}`));
      // The callback fires once the binding handed the bytes to the OS, so a caller that awaits each
      // write never fills the stream's buffer: that is the back-pressure, without a 'drain' wait.
      port.write(buffer, (err) => (err ? fail(err) : resolve()));
    });
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
