import { systemClock, type Clock } from '../links/clock';
import { LinkError, type Link } from '../links/link';
import {
  decodePacket,
  encodePacket,
  errorFromBody,
  framingFor,
  isResponseOp,
  MgmtErr,
  responseOp,
  SmpOp,
  SmpVersion,
  type DropReason,
  type FrameDecoder,
  type Framing,
  type SmpBody,
  type SmpHeader,
} from '../smp';
import { cancelled, DeviceError } from './errors';

/** One request to send. */
export interface SmpRequest {
  op: 'read' | 'write';
  group: number;
  id: number;
  body?: SmpBody;
  /** Safe to send again after a timeout (smp.md §10: echo, reads, params, the same test/confirm). */
  idempotent?: boolean;
  /** Overrides the session's timeout for this request (e.g. a first upload chunk that erases). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A whole answer: its header and CBOR body. */
export interface SmpResponse {
  header: SmpHeader;
  body: SmpBody;
}

/** What the session saw that was not an answer: the diagnostics for a bad cable or a chatty console. */
export type SessionDiagnostic =
  | { kind: 'dropped'; reason: DropReason; bytes: number }
  | { kind: 'console'; line: string }
  | { kind: 'unmatched'; seq: number; group: number; id: number }
  | { kind: 'undecodable'; message: string };

/** Options of {@link SmpSession}. */
export interface SessionOptions {
  clock?: Clock;
  /** Per-request timeout in ms (default {@link DEFAULT_TIMEOUT_MS}). */
  timeoutMs?: number;
  /** Times an idempotent request is sent again after a timeout (default 2). */
  retries?: number;
  /** Requests allowed in flight at once (default 1; set from mcumgr params, smp.md §5.6). */
  window?: number;
  onDiagnostic?: (d: SessionDiagnostic) => void;
}

/** A serial request answered within a few seconds (smp.md §10). */
export const DEFAULT_TIMEOUT_MS = 5000;

interface Pending {
  group: number;
  id: number;
  op: number;
  resolve(r: SmpResponse): void;
  reject(e: Error): void;
}

/**
 * An SMP client over any {@link Link}: frames requests for `link.framing` at the link's maxWrite of
 * the moment (a BLE link learns its MTU when it opens), numbers them (seq wraps
 * at 255), matches answers by seq, times each request out, resends idempotent ones, and keeps at
 * most {@link window} requests in flight. Stays attached across the link closing and reopening.
 */
export class SmpSession {
  /** Header version sent: 1 (SMP v2) until a device answers "too new" (smp.md §1), then 0. */
  version: number = SmpVersion.v2;
  private windowSize: number;
  private readonly clock: Clock;
  /** The framing for the link's maxWrite when it was last used: BLE learns its MTU only on open. */
  private framing: { maxWrite: number; framing: Framing };
  private readonly decoder: FrameDecoder;
  private readonly pending = new Map<number, Pending>();
  private nextSeq = 0;
  private active = 0;
  private readonly waiters: (() => void)[] = [];
  private writing: Promise<void> = Promise.resolve();
  private readonly unsubscribe: (() => void)[];

  constructor(
    readonly link: Link,
    private readonly options: SessionOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.windowSize = Math.max(1, options.window ?? 1);
    this.framing = { maxWrite: link.maxWrite, framing: framingFor(link.framing, { maxWrite: link.maxWrite }) };
    this.decoder = this.framing.framing.createDecoder();
    this.unsubscribe = [link.onData((d) => this.receive(d)), link.onClose(() => this.linkClosed())];
  }

  /** Requests allowed in flight at once. */
  get window(): number {
    return this.windowSize;
  }

  set window(n: number) {
    this.windowSize = Math.max(1, Math.floor(n));
    this.wake();
  }

  /** Requests sent and not yet answered. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Sends a request and returns the answer's body; a device refusal rejects with `SmpError`. */
  async request(req: SmpRequest): Promise<SmpBody> {
    const { body } = await this.exchange(req);
    const err = errorFromBody(body);
    if (err) throw err;
    return body;
  }

  /** Sends a request and returns the whole answer, refusals included (no `rc`/`err` check). */
  async exchange(req: SmpRequest): Promise<SmpResponse> {
    const retries = req.idempotent ? (this.options.retries ?? 2) : 0;
    for (let attempt = 0; ; attempt++) {
      await this.acquire(req.signal);
      let res: SmpResponse;
      try {
        res = await this.sendOnce(req);
      } catch (err) {
        if (err instanceof DeviceError && err.kind === 'timeout' && attempt < retries) continue;
        throw err;
      } finally {
        this.release();
      }
      if (this.version > SmpVersion.v1 && res.body.rc === MgmtErr.UNSUPPORTED_TOO_NEW) {
        this.version = SmpVersion.v1;
        attempt--;
        continue;
      }
      return res;
    }
  }

  /** Detaches from the link; requests still waiting fail as link-closed. */
  dispose(): void {
    for (const off of this.unsubscribe) off();
    this.failAll(new DeviceError('link-closed', 'The session was closed.'));
  }

  private sendOnce(req: SmpRequest): Promise<SmpResponse> {
    if (req.signal?.aborted) return Promise.reject(cancelled());
    if (!this.link.isOpen) return Promise.reject(linkClosed(this.link.id));
    const seq = this.allocateSeq();
    const op = req.op === 'read' ? SmpOp.read : SmpOp.write;
    const packet = encodePacket({ op, group: req.group, id: req.id, seq, version: this.version, body: req.body ?? {} });
    return new Promise<SmpResponse>((resolve, reject) => {
      let cancelTimer = () => {};
      const done = () => {
        this.pending.delete(seq);
        cancelTimer();
        req.signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        done();
        reject(cancelled());
      };
      this.pending.set(seq, {
        group: req.group,
        id: req.id,
        op,
        resolve: (r) => (done(), resolve(r)),
        reject: (e) => (done(), reject(e)),
      });
      req.signal?.addEventListener('abort', onAbort, { once: true });
      this.write(packet).then(
        () => {
          if (!this.pending.has(seq)) return;
          const ms = req.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
          cancelTimer = this.clock.schedule(() => {
            done();
            reject(new DeviceError('timeout', `The device did not answer within ${Math.round(ms / 1000)} s (group ${req.group}, command ${req.id}).`, { seq }));
          }, ms);
        },
        (err: unknown) => {
          done();
          reject(err instanceof LinkError && err.kind === 'not-open' ? linkClosed(this.link.id) : err);
        },
      );
    });
  }

  private write(packet: Uint8Array): Promise<void> {
    const units = this.currentFraming().encode(packet);
    // A byte stream takes the lines of one packet as one write; packet links need one write per unit.
    const writes = this.link.maxWrite === Infinity && units.length > 1 ? [concat(units)] : units;
    const next = this.writing.then(async () => {
      for (const unit of writes) await this.link.write(unit);
    });
    this.writing = next.catch(() => undefined);
    return next;
  }

  /** The framing for the link's maxWrite now (a BLE link opened after this session was made negotiates a larger MTU). */
  private currentFraming(): Framing {
    const maxWrite = this.link.maxWrite;
    if (this.framing.maxWrite !== maxWrite) this.framing = { maxWrite, framing: framingFor(this.link.framing, { maxWrite }) };
    return this.framing.framing;
  }

  private allocateSeq(): number {
    for (let i = 0; i < 256; i++) {
      const seq = this.nextSeq;
      this.nextSeq = (this.nextSeq + 1) & 0xff;
      if (!this.pending.has(seq)) return seq;
    }
    throw new DeviceError('protocol', 'All 256 sequence numbers are in flight.');
  }

  private receive(chunk: Uint8Array): void {
    const out = this.decoder.push(chunk, this.clock.now());
    const report = this.options.onDiagnostic;
    for (const d of out.dropped) report?.({ kind: 'dropped', reason: d.reason, bytes: d.bytes });
    for (const line of out.console) report?.({ kind: 'console', line });
    for (const bytes of out.packets) {
      const decoded = decodePacket(bytes);
      if (!decoded.ok) {
        report?.({ kind: 'undecodable', message: decoded.error.message });
        continue;
      }
      const { header, body } = decoded;
      const p = this.pending.get(header.seq);
      if (!p || !isResponseOp(header.op) || header.op !== responseOp(p.op) || header.group !== p.group || header.id !== p.id) {
        // An answer to a request that already timed out, or to someone else's: not ours to take.
        report?.({ kind: 'unmatched', seq: header.seq, group: header.group, id: header.id });
        continue;
      }
      p.resolve({ header, body });
    }
  }

  private linkClosed(): void {
    this.decoder.reset();
    this.failAll(linkClosed(this.link.id));
  }

  private failAll(err: DeviceError): void {
    for (const p of [...this.pending.values()]) p.reject(err);
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    if (this.active < this.windowSize) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const i = this.waiters.indexOf(go);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(cancelled());
      };
      const go = () => {
        signal?.removeEventListener('abort', onAbort);
        this.active++;
        resolve();
      };
      this.waiters.push(go);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private release(): void {
    this.active--;
    this.wake();
  }

  private wake(): void {
    while (this.active < this.windowSize && this.waiters.length > 0) this.waiters.shift()?.();
  }
}

function linkClosed(id: string): DeviceError {
  return new DeviceError('link-closed', `The connection to the device (${id}) closed.`);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
