import { LinkError, type Link, type LinkCloseReason } from '../links/link';
import { Listeners } from '../links/listeners';

/** Carries one whole SMP request packet and resolves to the whole answer packet. */
export type Relay = (packet: Uint8Array, signal: AbortSignal) => Promise<Uint8Array>;

/**
 * A `raw` {@link Link} whose far end is reached through another SMP exchange: each write is one
 * whole request packet, handed to `relay`; the answer packet comes back as a data event. Put an
 * `SmpSession` on it and the normal device commands (main/devices) run unchanged — over a
 * gateway's `forward` (see {@link forwardLink}) or its `stage` (see gateway-stage.ts).
 * A relay that fails is like a lost packet: the session's own timeout and retries handle it.
 */
export class RelayLink implements Link {
  readonly kind = 'loopback';
  readonly framing = 'raw';
  readonly maxWrite = Infinity;
  private open_ = false;
  private readonly aborts = new Set<AbortController>();
  private readonly data = new Listeners<Uint8Array>();
  private readonly closed = new Listeners<LinkCloseReason>();
  /** Relays that failed (lost, refused by the gateway); their requests time out in the session. */
  failures = 0;
  /** The last relay failure, for diagnostics. */
  lastError: unknown;

  constructor(
    readonly id: string,
    private readonly relay: Relay,
  ) {}

  get isOpen(): boolean {
    return this.open_;
  }

  async open(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.open_ = true;
  }

  async close(): Promise<void> {
    if (!this.open_) return;
    this.open_ = false;
    for (const a of this.aborts) a.abort();
    this.aborts.clear();
    this.closed.emit({ kind: 'closed' });
  }

  async write(packet: Uint8Array): Promise<void> {
    if (!this.open_) throw new LinkError('not-open', `The relayed link ${this.id} is not open.`);
    const abort = new AbortController();
    this.aborts.add(abort);
    // Fire and forget: the answer arrives as data, as on any link.
    void this.relay(packet, abort.signal).then(
      (answer) => {
        this.aborts.delete(abort);
        if (this.open_) this.data.emit(answer);
      },
      (err: unknown) => {
        this.aborts.delete(abort);
        this.failures++;
        this.lastError = err;
      },
    );
  }

  onData(listener: (data: Uint8Array) => void): () => void {
    return this.data.add(listener);
  }

  onClose(listener: (reason: LinkCloseReason) => void): () => void {
    return this.closed.add(listener);
  }
}
