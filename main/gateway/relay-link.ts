import { LinkError, type Link, type LinkCloseReason } from '../links/link';
import { Listeners } from '../links/listeners';
import { MgmtErr } from '../smp/error-codes';
import { SmpError } from '../smp/smp-error';

/** Carries one whole SMP request packet and resolves to the whole answer packet. */
export type Relay = (packet: Uint8Array, signal: AbortSignal) => Promise<Uint8Array>;

/**
 * A `raw` {@link Link} whose far end is reached through another SMP exchange: each write is one
 * whole request packet, handed to `relay`; the answer packet comes back as a data event. Put an
 * `SmpSession` on it and the normal device commands (main/devices) run unchanged — over a
 * gateway's `forward` (see {@link forwardLink}) or its `stage` (see gateway-stage.ts).
 * A relay that fails is like a lost packet: the session's own timeout and retries handle it —
 * except ENOTSUP to the relay itself, reported through `onUnitRefused` so the request fails at once.
 */
export class RelayLink implements Link {
  readonly kind = 'loopback';
  readonly framing = 'raw';
  readonly maxWrite = Infinity;
  private open_ = false;
  private readonly aborts = new Set<AbortController>();
  private readonly data = new Listeners<Uint8Array>();
  private readonly closed = new Listeners<LinkCloseReason>();
  private readonly refused = new Listeners<{ unit: Uint8Array; err: Error }>();
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
        // rc 8 to the relay itself (a device without the field group): final, not a lost packet.
        // Other refusals (ETIMEOUT from the radio) stay losses for the session to retry.
        if (err instanceof SmpError && err.group === undefined && err.code === MgmtErr.ENOTSUP) this.refused.emit({ unit: packet, err });
      },
    );
  }

  onData(listener: (data: Uint8Array) => void): () => void {
    return this.data.add(listener);
  }

  onClose(listener: (reason: LinkCloseReason) => void): () => void {
    return this.closed.add(listener);
  }

  onUnitRefused(listener: (unit: Uint8Array, err: Error) => void): () => void {
    return this.refused.add(({ unit, err }) => listener(unit, err));
  }
}
