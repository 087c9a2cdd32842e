import { systemClock, type Clock } from '../links/clock';
import { LinkError } from '../links/link';
import { ImageCmd, maxChunkData, MgmtErr, packetLimit, requestOverhead, SmpError, SmpGroup, type SmpBody } from '../smp';
import { DeviceError, cancelled } from './errors';
import { sha256Of, type ImageSource } from './image-source';
import type { SmpSession } from './session';

/** How to upload. The session's window (set from mcumgr params) bounds the pipeline. */
export interface UploadOptions {
  /** The device's `buf_size` (from {@link negotiateParams}). */
  bufSize: number;
  /** Image number; left out of the request when absent (device default 0). */
  image?: number;
  /** Ask the device to refuse an image that is not newer (smp.md §5.1). */
  upgrade?: boolean;
  /** SHA-256 of the file when already known; computed from the source otherwise. */
  sha?: Uint8Array;
  /**
   * BLE only: the device reassembles a request split over several writes (Zephyr
   * `CONFIG_MCUMGR_TRANSPORT_BT_REASSEMBLY`), so a packet may be up to `bufSize` (smp.md §5.4);
   * false: each request must fit one write (MTU − 3). Default true: smp.md §7 reads a `buf_size`
   * above MTU − 3 as the sign of reassembly, and at or below it the setting changes nothing. Zephyr's
   * Kconfig leaves it off by default (BLE DFU builds turn it on), so pass false for a device known to lack it.
   */
  bleReassembly?: boolean;
  /** Device flash write unit A to start with (smp.md §5.5); default 8, raised when the device shows a larger one. */
  alignment?: number;
  /** Upper bound of a later chunk's timeout (default 5 s); the timeout itself follows the answer times. */
  chunkTimeoutMs?: number;
  /** Timeout of first-chunk requests, which may erase the slot (default 30 s). */
  firstChunkTimeoutMs?: number;
  /** Reopens the link after it dropped; without it a drop ends the upload. */
  reconnect?: (signal?: AbortSignal) => Promise<void>;
  /** Resumes after drops and timeouts before giving up (default 5). */
  maxRecoveries?: number;
  clock?: Clock;
  /** Bytes the device holds, the total, payload bytes/s of this run, seconds left. */
  onProgress?: (bytes: number, total: number, rate: number, etaSeconds: number) => void;
  signal?: AbortSignal;
}

/** How an upload ended. */
export interface UploadResult {
  total: number;
  /** The device's verdict on the written bytes' SHA-256, when it checks (smp.md §5.2). */
  match?: boolean;
  /**
   * Offset the device already held when this run started: non-zero only when the device's first
   * answer went past the bytes of the first chunk (it kept an earlier session, smp.md §5.3 step 5).
   */
  resumedFrom: number;
  /** Reconnects and timeouts recovered from. */
  recoveries: number;
  /** Flash write unit the client ended with (learned from short writes, smp.md §5.5). */
  alignment: number;
}

const FIRST_CHUNK_TIMEOUT_MS = 30_000;
/** Length of the `sha` siteflash sends: a whole SHA-256 (smp.md §5.1). */
const SHA256_LENGTH = 32;
/** Answers without progress in a row before the device is declared broken (smp.md §5.3 step 6). */
const MAX_STALLS = 3;
/**
 * Write unit assumed until the device shows a larger one: 8, the unit of MCUboot serial recovery's
 * recording (smp.md §11.1) and of many flash parts; a multiple of the common 1, 2 and 4.
 */
export const DEFAULT_UPLOAD_ALIGNMENT = 8;
/** Largest write unit the client learns (smp.md §5.5 lists 2–16; some parts use 32 or more). */
const MAX_ALIGNMENT = 4096;
/** Bounds of the per-chunk timeout learned from answer times, ms. */
const MIN_CHUNK_TIMEOUT_MS = 1000;
const DEFAULT_CHUNK_TIMEOUT_MS = 5000;
/** A later chunk's timeout is this many times the slowest of the recent answer times. */
const RTT_FACTOR = 4;
const RTT_SAMPLES = 8;

/**
 * Uploads an image (smp.md §5.3): first chunk with `len` and `sha`, then a pipeline of later
 * chunks with predicted offsets (§5.6), continuing from the device's `off` whenever its answer
 * differs. The write unit is learned from short writes (§5.5). After a lost answer or a
 * reconnect it resynchronises with a later chunk at the last confirmed offset — the device
 * answers its own offset (§11.1) — and sends the first-chunk form again only when the device
 * shows it lost the upload (`off: 0`), since `off: 0` makes MCUboot's recovery erase the slot.
 * A `match: false` verdict restarts the upload once from zero.
 */
export async function uploadImage(session: SmpSession, source: ImageSource, options: UploadOptions): Promise<UploadResult> {
  const u = new Upload(session, source, options);
  return u.run();
}

/** One request in flight: the bytes it carries and its answer. */
interface Sent {
  start: number;
  end: number;
  /** All its bytes are on the wire (serial send-ahead may hold back the last lines). */
  written: boolean;
  ctrl: AbortController;
  sentAt: number;
  answer: Promise<Answer>;
}

interface Answer {
  off: number;
  match?: boolean;
}

/** The device answered a later chunk with `off: 0`: it no longer holds the upload (restarted). */
class UploadLost extends Error {}

class Upload {
  private readonly total: number;
  private readonly clock: Clock;
  private sha: Uint8Array = new Uint8Array(0);
  private align: number;
  private recoveries = 0;
  private stalls = 0;
  private startedAt = 0;
  private startBytes = -1;
  /** The offset the device last confirmed holding. */
  private confirmed = 0;
  private readonly rtts: number[] = [];
  /**
   * Requests this upload keeps in flight: the session's window (from buf_count) until requests get
   * lost on the way — a UART whose line buffers overflow (Zephyr holds two 128-byte lines, smp.md
   * §11.2) — then one less per loss, down to 1.
   */
  private window = Infinity;

  constructor(
    private readonly session: SmpSession,
    private readonly source: ImageSource,
    private readonly o: UploadOptions,
  ) {
    this.total = source.size;
    this.clock = o.clock ?? systemClock;
    this.align = Math.max(1, o.alignment ?? DEFAULT_UPLOAD_ALIGNMENT);
  }

  async run(): Promise<UploadResult> {
    // The first chunk carries the most fields: if its budget holds no data, fail before a byte is sent.
    this.chunkLength(0, this.o.sha?.length ?? SHA256_LENGTH);
    this.sha = this.o.sha ?? (await sha256Of(this.source));
    // Under way from the first request on: a first chunk may wait many seconds for an erase, and a
    // screen should not say "no transfer yet" meanwhile. No rate yet, and no baseline for one: the
    // device's first answer says where this run starts (a resume).
    this.o.onProgress?.(0, this.total, 0, Infinity);
    let restartedForMatch = false;
    let resumedFrom: number | undefined;
    let needFirst = true;
    for (;;) {
      try {
        let end: Answer | undefined;
        if (needFirst) {
          const { answer, sent } = await this.firstChunk();
          needFirst = false;
          // Past the first chunk's bytes: the device kept an earlier session with this sha.
          resumedFrom ??= answer.off > sent ? answer.off : 0;
          this.learn(0, sent, answer.off);
          this.confirmed = answer.off;
          if (answer.off === this.total) end = answer;
        }
        end ??= await this.pipeline();
        if (end.match === false && !restartedForMatch) {
          restartedForMatch = true;
          needFirst = true;
          this.confirmed = 0;
          continue;
        }
        if (end.match === false) throw new DeviceError('protocol', 'The device wrote the image but its SHA-256 does not match, twice.');
        return { total: this.total, ...(end.match === undefined ? {} : { match: end.match }), resumedFrom: resumedFrom ?? 0, recoveries: this.recoveries, alignment: this.align };
      } catch (err) {
        if (err instanceof UploadLost) {
          // The device restarted and lost the upload: only now is the first-chunk form due again.
          needFirst = true;
          this.confirmed = 0;
          if (++this.stalls >= MAX_STALLS) throw new DeviceError('protocol', 'The device lost the upload three times in a row.');
          continue;
        }
        if (!(await this.recover(err))) throw err;
        // Resynchronise from the device's own offset: a later chunk at the confirmed offset (smp.md §11.1).
        needFirst = this.confirmed === 0;
      }
    }
  }

  /** After a timeout or drop: reconnect if needed and let the loop resume. False: give up. */
  private async recover(err: unknown): Promise<boolean> {
    // A write that failed on a breaking link (EIO on a pty or USB port going away) is the same drop.
    const linkTrouble = err instanceof LinkError && err.kind === 'io';
    if (!linkTrouble && (!(err instanceof DeviceError) || (err.kind !== 'timeout' && err.kind !== 'link-closed'))) return false;
    if (this.recoveries >= (this.o.maxRecoveries ?? 5)) return false;
    this.recoveries++;
    if (!this.session.link.isOpen) {
      if (!this.o.reconnect) return false;
      await this.o.reconnect(this.o.signal);
    }
    return true;
  }

  /**
   * A non-final chunk [start, end) answered with start < off < end was cut to the device's write
   * unit (smp.md §5.5): the unit is larger than the tail it left, so align later chunks to the
   * next power of two above both the tail and the current unit.
   */
  private learn(start: number, end: number, off: number): void {
    if (!(off > start && off < end && end < this.total)) return;
    let a = this.align * 2;
    while (a <= end - off) a *= 2;
    this.align = Math.min(a, MAX_ALIGNMENT);
  }

  private chunkLength(offset: number, shaLength = this.sha.length): number {
    const link = this.session.link;
    const budget = {
      bufSize: this.o.bufSize,
      transport: link.framing,
      maxWrite: link.maxWrite,
      bleReassembly: this.o.bleReassembly ?? true,
      imageLength: this.total,
      offset,
      alignment: this.align,
      firstChunk: { image: this.o.image, upgrade: this.o.upgrade, shaLength },
    };
    const n = maxChunkData(budget);
    if (n > 0) return n;
    const limit = packetLimit(budget);
    const details = { packetLimit: limit, overhead: requestOverhead(budget), bufSize: this.o.bufSize, maxWrite: link.maxWrite };
    if (link.framing === 'ble' && !budget.bleReassembly && limit < this.o.bufSize) {
      throw new DeviceError(
        'refused',
        `An upload request does not fit one ${limit}-byte BLE write, and this device does not reassemble split requests. Reconnect with a larger MTU (most phones and laptops offer 247 or more) or use the serial port.`,
        { reason: 'chunk-too-small', ...details },
      );
    }
    throw new DeviceError('refused', `The device's ${this.o.bufSize}-byte SMP buffer is too small to carry an upload chunk.`, { reason: 'chunk-too-small', ...details });
  }

  private async firstChunk(): Promise<{ answer: Answer; sent: number }> {
    const data = await this.source.read(0, this.chunkLength(0));
    const body = { image: this.o.image, len: this.total, off: 0, sha: this.sha, data, upgrade: this.o.upgrade };
    const answer = await this.send(body, this.o.firstChunkTimeoutMs ?? FIRST_CHUNK_TIMEOUT_MS);
    this.progress(answer.off);
    return { answer, sent: data.length };
  }

  /** Timeout for a later chunk: a few times the slowest recent answer, within [1 s, 5 s]. */
  private chunkTimeout(): number {
    const cap = this.o.chunkTimeoutMs ?? DEFAULT_CHUNK_TIMEOUT_MS;
    if (this.rtts.length === 0) return cap;
    return Math.min(cap, Math.max(MIN_CHUNK_TIMEOUT_MS, RTT_FACTOR * Math.max(...this.rtts)));
  }

  /** Sends later chunks from the confirmed offset, up to the session's window at once, to the end. */
  private async pipeline(): Promise<Answer> {
    let next = this.confirmed;
    const inflight: Sent[] = [];
    const abortAll = () => {
      for (const s of inflight.splice(0)) s.ctrl.abort();
    };
    let refill = true;
    try {
      for (;;) {
        // The session may already send part of one more request while the window waits (serial send-ahead).
        while (refill && inflight.length < Math.min(this.window, this.session.window) + this.session.sendAhead && next < this.total) {
          const data = await this.source.read(next, this.chunkLength(next));
          const ctrl = new AbortController();
          const sent: Omit<Sent, 'answer'> = { start: next, end: next + data.length, written: false, ctrl, sentAt: this.clock.now() };
          const answer = this.send({ off: next, data }, this.chunkTimeout(), ctrl.signal, () => (sent.written = true));
          answer.catch(() => undefined);
          inflight.push({ ...sent, answer });
          next += data.length;
        }
        refill = true;
        const head = await this.nextAnswered(inflight);
        let got: Answer;
        try {
          got = await head.answer;
        } catch (err) {
          // No answer to this chunk (a line lost on the way), but the chunks behind it are on their
          // way: the device answers them with its own offset, so resynchronise from that answer
          // (smp.md §11.1) instead of starting over, sending nothing new meanwhile.
          const timedOut = err instanceof DeviceError && err.kind === 'timeout';
          if (!timedOut || inflight.length === 0 || this.recoveries >= (this.o.maxRecoveries ?? 5)) throw err;
          this.recoveries++;
          refill = false;
          continue;
        }
        this.sample(head);
        if (got.off !== head.end) {
          this.learn(head.start, head.end, got.off);
          // The device dropped this chunk's data (or kept part of it); every chunk already behind it
          // is answered with the same expected offset and dropped too (§5.6): take those answers.
          // Chunks not yet whole on the wire would only be refused: stop them before their last lines.
          const unwritten = inflight.findIndex((s) => !s.written);
          if (unwritten >= 0) for (const s of inflight.splice(unwritten)) s.ctrl.abort();
          while (inflight.length > 0) {
            const rest = await this.nextAnswered(inflight);
            try {
              got = await rest.answer;
            } catch {
              abortAll();
            }
          }
          if (got.off === 0 && head.start > 0) throw new UploadLost();
          this.stalls = got.off <= this.confirmed ? this.stalls + 1 : 0;
          if (this.stalls >= MAX_STALLS) throw new DeviceError('protocol', `The device keeps answering offset ${got.off} without progress.`);
          next = got.off;
        } else {
          this.stalls = 0;
        }
        this.confirmed = got.off;
        this.progress(got.off);
        if (got.off >= this.total) return got;
      }
    } finally {
      abortAll();
    }
  }

  /**
   * Waits for the first answer among the requests in flight and removes it from the queue. The
   * device answers in order, so an answer to a later request means the earlier ones were lost: stop
   * waiting for them at once instead of waiting out their timeouts (smp.md §5.6).
   */
  private async nextAnswered(inflight: Sent[]): Promise<Sent> {
    // A failure of a later request (its write, the link) says nothing about the earlier ones.
    const index = await Promise.race(inflight.map((s, i) => s.answer.then(() => i, () => 0)));
    if (index > 0) this.window = Math.max(1, Math.min(this.window, this.session.window) - 1);
    for (const lost of inflight.splice(0, index)) lost.ctrl.abort();
    return inflight.shift() as Sent;
  }

  private sample(s: Sent): void {
    this.rtts.push(this.clock.now() - s.sentAt);
    if (this.rtts.length > RTT_SAMPLES) this.rtts.shift();
  }

  private async send(body: SmpBody, timeoutMs?: number, signal?: AbortSignal, onWritten?: () => void): Promise<Answer> {
    if (this.o.signal?.aborted) throw cancelled();
    const both = signal && this.o.signal ? AbortSignal.any([signal, this.o.signal]) : (signal ?? this.o.signal);
    const request = { op: 'write' as const, group: SmpGroup.image, id: ImageCmd.upload, body, timeoutMs, signal: both, onWritten };
    const answer = await this.session.request(request).catch((err: unknown) => {
      throw this.explain(err);
    });
    const off = answer.off;
    if (!Number.isInteger(off) || (off as number) < 0 || (off as number) > this.total) {
      throw new DeviceError('protocol', `The device answered an impossible upload offset (${String(off)} of ${this.total}).`);
    }
    return typeof answer.match === 'boolean' ? { off: off as number, match: answer.match } : { off: off as number };
  }

  /**
   * A device without BLE reassembly takes the first write of a split request as a whole packet
   * shorter than its header says and answers ECORRUPT (smp.md §7): say what to change instead.
   */
  private explain(err: unknown): unknown {
    const link = this.session.link;
    const split = link.framing === 'ble' && (this.o.bleReassembly ?? true) && link.maxWrite < this.o.bufSize;
    if (!split || !(err instanceof SmpError) || err.group !== undefined || err.code !== MgmtErr.ECORRUPT) return err;
    return new DeviceError(
      'refused',
      `The device rejected an upload request split over several ${link.maxWrite}-byte BLE writes: it does not reassemble them. Upload again with BLE reassembly off, or reconnect with a larger MTU.`,
      { reason: 'no-ble-reassembly', maxWrite: link.maxWrite, bufSize: this.o.bufSize },
    );
  }

  private progress(bytes: number): void {
    const now = this.clock.now();
    if (this.startBytes < 0) {
      this.startBytes = bytes;
      this.startedAt = now;
    }
    const seconds = (now - this.startedAt) / 1000;
    const rate = seconds > 0 ? Math.max(0, bytes - this.startBytes) / seconds : 0;
    const eta = rate > 0 ? (this.total - bytes) / rate : Infinity;
    this.o.onProgress?.(bytes, this.total, rate, eta);
  }
}
