import { systemClock, type Clock } from '../links/clock';
import { LinkError, type Link } from '../links/link';
import {
  commandName,
  decodeHeader,
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
  /** Called once every byte of the request was handed to the link (serial send-ahead may hold back its last lines). */
  onWritten?: () => void;
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
  | { kind: 'undecodable'; message: string }
  /** A device fault that failed the request it answered at once (not left to time out). */
  | { kind: 'fault'; message: string };

/** Options of {@link SmpSession}. */
export interface SessionOptions {
  clock?: Clock;
  /** Per-request timeout in ms (default {@link DEFAULT_TIMEOUT_MS}). */
  timeoutMs?: number;
  /** Times an idempotent request is sent again after a timeout (default 2). */
  retries?: number;
  /** Requests allowed in flight at once (default 1; set from mcumgr params, smp.md §5.6). */
  window?: number;
  /** Serial send-ahead budget in lines (see {@link SmpSession.lineBuffers}); default none: whole requests only. */
  lineBuffers?: number;
  onDiagnostic?: (d: SessionDiagnostic) => void;
}

/** A serial request answered within a few seconds (smp.md §10). */
export const DEFAULT_TIMEOUT_MS = 5000;

/**
 * One request's frame units on their way to the device, in send order, until the device answered
 * it or a later request (it consumed their lines) or the request was given up.
 */
interface Outgoing {
  seq: number;
  units: Uint8Array[];
  /** Units handed to the link so far. */
  written: number;
  /** Given up (timeout, cancel, link trouble): stays counted while it may hold device buffers, never written further. */
  settled: boolean;
  /** All units written. */
  sent(): void;
  failed(err: unknown): void;
}

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
  /** Seqs whose requests timed out or were cancelled: an answer to one later is late, not a device fault. */
  private readonly abandoned = new Set<number>();
  private nextSeq = 0;
  private active = 0;
  private readonly waiters: (() => void)[] = [];
  private lineBudget: number;
  /** Requests whose units are being or were written and the device may still hold, in send order. */
  private outgoing: Outgoing[] = [];
  /** A write to the link is running (writes go out one at a time, in order). */
  private writing = false;
  /** Bumped when the link closes: a write that was running then no longer drives the queue. */
  private generation = 0;
  private readonly unsubscribe: (() => void)[];

  constructor(
    readonly link: Link,
    private readonly options: SessionOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.windowSize = Math.max(1, options.window ?? 1);
    this.lineBudget = lineBudgetOf(options.lineBuffers);
    this.framing = { maxWrite: link.maxWrite, framing: framingFor(link.framing, { maxWrite: link.maxWrite }) };
    this.decoder = this.framing.framing.createDecoder();
    this.unsubscribe = [link.onData((d) => this.receive(d)), link.onClose(() => this.linkClosed())];
    if (link.onUnitRefused) this.unsubscribe.push(link.onUnitRefused((unit, err) => this.refusedOnTheWay(unit, err)));
  }

  /** Requests allowed in flight at once. */
  get window(): number {
    return this.windowSize;
  }

  set window(n: number) {
    this.windowSize = Math.max(1, Math.floor(n));
    this.wake();
    this.pump();
  }

  /**
   * Serial send-ahead budget: the lines the device's UART holds while its SMP server works on a
   * request (MCUboot serial recovery: `CONFIG_BOOT_LINE_BUFS` − 1; Zephyr: two 128-byte lines,
   * smp.md §11.2). When set, the request after the {@link window} may already send that many of
   * its lines before the answer it waits for arrives, so the line does not idle during the answer;
   * lines behind the oldest unanswered request never exceed it, and a request's last line goes
   * out only within the window, so no more whole requests wait unanswered than the window allows.
   * `undefined` (default): no line limit, whole requests up to the window (flow-controlled links,
   * BLE, HID, UDP).
   */
  get lineBuffers(): number | undefined {
    return this.lineBudget === Infinity ? undefined : this.lineBudget;
  }

  set lineBuffers(n: number | undefined) {
    this.lineBudget = lineBudgetOf(n);
    this.wake();
    this.pump();
  }

  /** Requests beyond the window that may be partly on the wire at once: 1 with a line budget, else 0. */
  get sendAhead(): number {
    return this.lineBudget === Infinity ? 0 : 1;
  }

  /** Requests sent and not yet answered. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Sends a request and returns the answer's body; a device refusal rejects with `SmpError`. */
  async request(req: SmpRequest): Promise<SmpBody> {
    const { body } = await this.exchange(req);
    const err = errorFromBody(body, commandName(req.group, req.id));
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
        this.abandoned.add(seq);
        this.giveUp(seq);
        reject(cancelled());
      };
      this.pending.set(seq, {
        group: req.group,
        id: req.id,
        op,
        resolve: (r) => (done(), this.answered(seq), resolve(r)),
        reject: (e) => (done(), this.giveUp(seq), reject(e)),
      });
      req.signal?.addEventListener('abort', onAbort, { once: true });
      this.write(seq, packet).then(
        () => {
          req.onWritten?.();
          if (!this.pending.has(seq)) return;
          const ms = req.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
          cancelTimer = this.clock.schedule(() => {
            done();
            this.abandoned.add(seq);
            this.giveUp(seq, true);
            const secs = ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
            reject(new DeviceError('timeout', `The device did not answer ${commandName(req.group, req.id)} within ${secs}.`, { seq, group: req.group, id: req.id }));
          }, ms);
        },
        (err: unknown) => {
          done();
          this.giveUp(seq);
          reject(err instanceof LinkError && err.kind === 'not-open' ? linkClosed(this.link.id) : err);
        },
      );
    });
  }

  /** Queues a packet's frame units; resolves once all of them were handed to the link. */
  private write(seq: number, packet: Uint8Array): Promise<void> {
    const units = this.currentFraming().encode(packet);
    return new Promise<void>((sent, failed) => {
      this.outgoing.push({ seq, units, written: 0, settled: false, sent, failed });
      this.pump();
    });
  }

  /**
   * Writes the next units of the first request not yet fully written, as many as {@link writable}
   * allows, then looks again. One write at a time keeps the requests' lines in order on the wire.
   */
  private pump(): void {
    if (this.writing) return;
    const head = this.outgoing.find((o) => !o.settled && o.written < o.units.length);
    if (!head) return;
    const n = this.writable(head);
    if (n === 0) return;
    const units = head.units.slice(head.written, head.written + n);
    head.written += n;
    // A byte stream takes several lines as one write; packet links need one write per unit.
    const writes = this.link.maxWrite === Infinity && units.length > 1 ? [concat(units)] : units;
    const generation = this.generation;
    this.writing = true;
    void (async () => {
      for (const unit of writes) await this.link.write(unit);
    })().then(
      () => {
        if (generation !== this.generation) return;
        this.writing = false;
        if (head.written === head.units.length) head.sent();
        this.pump();
      },
      (err: unknown) => {
        if (generation !== this.generation) return head.failed(err);
        this.writing = false;
        head.settled = true;
        head.failed(err);
        this.trim();
        this.pump();
      },
    );
  }

  /**
   * How many of `head`'s remaining units may go out now. Without a line budget: all of them (the
   * window already bounds the requests). With one: all when nothing before it waits for an answer
   * (the device takes its lines as they come); otherwise only as many as the device's free line
   * buffers hold behind the oldest unanswered request, and never its last line while the window's
   * whole requests are all unanswered.
   */
  private writable(head: Outgoing): number {
    const left = head.units.length - head.written;
    if (this.lineBudget === Infinity || this.outgoing[0] === head) return left;
    const ahead = this.outgoing.slice(1).reduce((n, o) => n + o.written, 0);
    const whole = this.outgoing.filter((o) => !o.settled && o.written === o.units.length).length;
    const n = Math.min(left, Math.max(0, this.lineBudget - ahead));
    return n === left && whole >= this.windowSize ? left - 1 : n;
  }

  /** The device answered `seq`: it consumed the lines of every request up to it. */
  private answered(seq: number): void {
    const i = this.outgoing.findIndex((o) => o.seq === seq);
    if (i >= 0) this.outgoing.splice(0, i + 1);
    this.trim();
    this.pump();
  }

  /**
   * `seq` was given up (timeout, cancel, link or device fault): none of its lines go out any more;
   * lines already sent stay counted until the requests before it are answered (the device may
   * still hold them; a partial packet is dropped by the next start line, smp.md §6.2).
   */
  private giveUp(seq: number, timedOut = false): void {
    const o = this.outgoing.find((x) => x.seq === seq);
    if (!o) return;
    o.settled = true;
    if (o.written === 0) this.outgoing.splice(this.outgoing.indexOf(o), 1);
    this.trim();
    // A request sent ahead in part waited out that timeout: its first lines may have expired in the
    // device's decoder (smp.md §6.2). Send it again whole; its start line drops the stale part.
    // (Only when nothing before it waits: then the device holds no other lines of ours.)
    const head = this.outgoing[0];
    if (timedOut && head && head.written > 0 && head.written < head.units.length && !this.writing) head.written = 0;
    this.pump();
  }

  /** Given-up requests at the front are no longer waited for: the device holds nothing of theirs to count. */
  private trim(): void {
    while (this.outgoing[0]?.settled) this.outgoing.shift();
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
      if (!this.pending.has(seq)) {
        this.abandoned.delete(seq);
        return seq;
      }
    }
    throw new DeviceError('protocol', 'All 256 sequence numbers are in flight.');
  }

  private receive(chunk: Uint8Array): void {
    const out = this.decoder.push(chunk, this.clock.now());
    const report = this.options.onDiagnostic;
    for (const d of out.dropped) {
      report?.({ kind: 'dropped', reason: d.reason, bytes: d.bytes });
      // The frame's CRC checked but the SMP header's length does not: the device built a bad packet.
      // Only pinned on a request when just one waits (the header may be what is wrong).
      if (d.reason === 'bad-length' && this.pending.size === 1) {
        const [seq, p] = [...this.pending.entries()][0] as [number, Pending];
        this.fault(seq, `The device answered ${commandName(p.group, p.id)} with a packet whose header length does not match its size.`);
      }
    }
    for (const line of out.console) report?.({ kind: 'console', line });
    for (const bytes of out.packets) {
      const decoded = decodePacket(bytes);
      if (!decoded.ok) {
        report?.({ kind: 'undecodable', message: decoded.error.message });
        this.undecodable(bytes, decoded.error.reason);
        continue;
      }
      const { header, body } = decoded;
      const p = this.pending.get(header.seq);
      if (p && isResponseOp(header.op) && header.op === responseOp(p.op) && header.group === p.group && header.id === p.id) {
        p.resolve({ header, body });
        continue;
      }
      report?.({ kind: 'unmatched', seq: header.seq, group: header.group, id: header.id });
      // An answer to a request that already timed out or was cancelled is late, not a fault.
      if (this.abandoned.has(header.seq) || !isResponseOp(header.op)) continue;
      if (p) {
        this.fault(header.seq, `The device answered ${commandName(p.group, p.id)} with the header of ${commandName(header.group, header.id)} (op ${header.op}).`);
        continue;
      }
      // A sequence number nobody sent, for a command that is waiting: the device numbered its answer wrong.
      const waiting = [...this.pending.entries()].find(([, q]) => q.group === header.group && q.id === header.id && responseOp(q.op) === header.op);
      if (waiting) this.fault(waiting[0], `The device answered ${commandName(header.group, header.id)} with sequence number ${header.seq}, not the ${waiting[0]} it was sent with.`);
    }
  }

  /**
   * A packet whose framing checked (CRC, length) but whose SMP header or CBOR does not: fail the
   * request it answers at once — found by its seq, or the only one waiting — instead of letting it
   * time out (smp.md §2).
   */
  private undecodable(bytes: Uint8Array, reason: string): void {
    const what: Record<string, string> = {
      'too-short': 'a packet shorter than an SMP header',
      'length-mismatch': 'a packet whose header length does not match its size',
      'bad-cbor': 'malformed CBOR',
      'body-not-map': 'a body that is not a CBOR map',
    };
    const header = decodeHeader(bytes);
    const seq = header && this.pending.has(header.seq) ? header.seq : this.pending.size === 1 ? [...this.pending.keys()][0] : undefined;
    if (seq === undefined || (header && this.abandoned.has(header.seq))) return;
    const p = this.pending.get(seq) as Pending;
    this.fault(seq, `The device answered ${commandName(p.group, p.id)} with ${what[reason] ?? reason}.`);
  }

  /** A relaying link (gateway forward) refused to carry a request: fail it now, naming both (no retry). */
  private refusedOnTheWay(unit: Uint8Array, err: Error): void {
    const header = decodeHeader(unit);
    const p = header && this.pending.get(header.seq);
    if (!header || !p) return;
    this.abandoned.add(header.seq);
    p.reject(new DeviceError('refused', `${commandName(p.group, p.id)} could not be relayed: ${err.message}`, { seq: header.seq, relay: err.message }));
  }

  private fault(seq: number, message: string): void {
    this.options.onDiagnostic?.({ kind: 'fault', message });
    this.pending.get(seq)?.reject(new DeviceError('protocol', message, { seq }));
  }

  private linkClosed(): void {
    this.decoder.reset();
    this.failAll(linkClosed(this.link.id));
  }

  private failAll(err: DeviceError): void {
    // Nothing queued goes out any more (emptied first, so failing one request writes none of the
    // next); a write still running no longer drives the queue.
    const queued = this.outgoing.splice(0);
    this.generation++;
    this.writing = false;
    for (const [seq, p] of [...this.pending.entries()]) {
      this.abandoned.add(seq);
      p.reject(err);
    }
    for (const o of queued) if (o.written < o.units.length) o.failed(err);
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    if (this.active < this.windowSize + this.sendAhead) {
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
    while (this.active < this.windowSize + this.sendAhead && this.waiters.length > 0) this.waiters.shift()?.();
  }
}

function lineBudgetOf(n: number | undefined): number {
  return n === undefined || !Number.isFinite(n) ? Infinity : Math.max(0, Math.floor(n));
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
