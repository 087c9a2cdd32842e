import { systemClock, type Clock } from './clock';
import { LinkError, type Link, type LinkCloseReason, type LinkFraming } from './link';
import { Listeners } from './listeners';

/** How a loopback pair behaves. */
export interface LoopbackOptions {
  /** `raw`: one write is one packet; `serial`: a byte stream carrying SMP serial frames. */
  framing: 'raw' | 'serial';
  /** Throttle each direction to this many bytes per second, like a UART; unlimited when absent. */
  bytesPerSecond?: number;
  /** The clock the throttle runs on. */
  clock?: Clock;
  /** Id suffix, so several pairs in one process are told apart. */
  name?: string;
}

/** One end of a loopback pair, with a way to pull the plug as a device would. */
export interface LoopbackEnd extends Link {
  /** Closes both ends as an unplug: each emits a close event with kind `unplugged`. */
  unplug(message?: string): void;
}

/**
 * Two connected in-process links: what one end writes, the other receives. Used to run a client
 * session against a simulated or scripted device without a port. Writes made while the far end is
 * closed are dropped, as bytes on an unplugged cable are.
 */
export function createLoopbackPair(options: LoopbackOptions): [LoopbackEnd, LoopbackEnd] {
  const name = options.name ?? 'pair';
  const a = new LoopbackLinkEnd(`loopback:${name}/a`, options);
  const b = new LoopbackLinkEnd(`loopback:${name}/b`, options);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

class LoopbackLinkEnd implements LoopbackEnd {
  readonly kind = 'loopback';
  readonly framing: LinkFraming;
  readonly maxWrite = Infinity;
  peer: LoopbackLinkEnd | undefined;
  private open_ = false;
  private busyUntil = 0;
  private readonly clock: Clock;
  private readonly data = new Listeners<Uint8Array>();
  private readonly closes = new Listeners<LinkCloseReason>();

  constructor(
    readonly id: string,
    private readonly options: LoopbackOptions,
  ) {
    this.framing = options.framing;
    this.clock = options.clock ?? systemClock;
  }

  get isOpen(): boolean {
    return this.open_;
  }

  async open(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.open_ = true;
  }

  async close(): Promise<void> {
    this.end({ kind: 'closed' });
  }

  unplug(message = 'The loopback cable was pulled.'): void {
    this.end({ kind: 'unplugged', message });
    this.peer?.end({ kind: 'unplugged', message });
  }

  async write(data: Uint8Array): Promise<void> {
    if (!this.open_) throw new LinkError('not-open', `${this.id} is not open.`);
    const bytes = data.slice();
    const peer = this.peer;
    const rate = this.options.bytesPerSecond;
    if (!rate) {
      queueMicrotask(() => peer?.receive(bytes));
      return;
    }
    // Bytes leave one after another at the line rate: a write waits for the ones queued before it.
    const start = Math.max(this.clock.now(), this.busyUntil);
    this.busyUntil = start + (bytes.length * 1000) / rate;
    await new Promise<void>((resolve) => this.clock.schedule(resolve, this.busyUntil - this.clock.now()));
    peer?.receive(bytes);
  }

  onData(listener: (data: Uint8Array) => void): () => void {
    return this.data.add(listener);
  }

  onClose(listener: (reason: LinkCloseReason) => void): () => void {
    return this.closes.add(listener);
  }

  private receive(bytes: Uint8Array): void {
    if (this.open_) this.data.emit(bytes);
  }

  private end(reason: LinkCloseReason): void {
    if (!this.open_) return;
    this.open_ = false;
    this.closes.emit(reason);
  }
}
