import { systemClock, type Clock } from '../links/clock';
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
  /** Device flash write unit A (smp.md §5.5); default 4. */
  alignment?: number;
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
  /** Offset the device already held when this run started (resume). */
  resumedFrom: number;
  /** Reconnects and timeouts recovered from. */
  recoveries: number;
}

const FIRST_CHUNK_TIMEOUT_MS = 30_000;
/** Length of the `sha` siteflash sends: a whole SHA-256 (smp.md §5.1). */
const SHA256_LENGTH = 32;
/** Answers without progress in a row before the device is declared broken (smp.md §5.3 step 6). */
const MAX_STALLS = 3;

/**
 * Uploads an image (smp.md §5.3): first chunk with `len` and `sha`, then a pipeline of later
 * chunks with predicted offsets (§5.6), restarting at the device's offset whenever its answer
 * differs. After a drop or timeout it resumes with the first-chunk form, so a device that kept
 * the bytes continues where it was. A `match: false` verdict restarts the upload once from zero.
 */
export async function uploadImage(session: SmpSession, source: ImageSource, options: UploadOptions): Promise<UploadResult> {
  const u = new Upload(session, source, options);
  return u.run();
}

class Upload {
  private readonly total: number;
  private readonly clock: Clock;
  private sha: Uint8Array = new Uint8Array(0);
  private recoveries = 0;
  private stalls = 0;
  private startedAt = 0;
  private startBytes = -1;

  constructor(
    private readonly session: SmpSession,
    private readonly source: ImageSource,
    private readonly o: UploadOptions,
  ) {
    this.total = source.size;
    this.clock = o.clock ?? systemClock;
  }

  async run(): Promise<UploadResult> {
    // The first chunk carries the most fields: if its budget holds no data, fail before a byte is sent.
    this.chunkLength(0, this.o.sha?.length ?? SHA256_LENGTH);
    this.sha = this.o.sha ?? (await sha256Of(this.source));
    let restartedForMatch = false;
    let resumedFrom = -1;
    for (;;) {
      try {
        const first = await this.firstChunk();
        if (resumedFrom < 0) resumedFrom = first.off === this.chunkLength(0) ? 0 : first.off;
        const end = first.off === this.total ? first : await this.pipeline(first.off);
        if (end.match === false && !restartedForMatch) {
          restartedForMatch = true;
          continue;
        }
        if (end.match === false) throw new DeviceError('protocol', 'The device wrote the image but its SHA-256 does not match, twice.');
        return { total: this.total, ...(end.match === undefined ? {} : { match: end.match }), resumedFrom, recoveries: this.recoveries };
      } catch (err) {
        if (!(await this.recover(err))) throw err;
      }
    }
  }

  /** After a timeout or drop: reconnect if needed and let the loop resume. False: give up. */
  private async recover(err: unknown): Promise<boolean> {
    if (!(err instanceof DeviceError) || (err.kind !== 'timeout' && err.kind !== 'link-closed')) return false;
    if (this.recoveries >= (this.o.maxRecoveries ?? 5)) return false;
    this.recoveries++;
    if (!this.session.link.isOpen) {
      if (!this.o.reconnect) return false;
      await this.o.reconnect(this.o.signal);
    }
    return true;
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
      alignment: this.o.alignment,
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

  private async firstChunk(): Promise<{ off: number; match?: boolean }> {
    const data = await this.source.read(0, this.chunkLength(0));
    const body = { image: this.o.image, len: this.total, off: 0, sha: this.sha, data, upgrade: this.o.upgrade };
    const answer = await this.send(body, this.o.firstChunkTimeoutMs ?? FIRST_CHUNK_TIMEOUT_MS);
    this.progress(answer.off);
    return answer;
  }

  /** Sends later chunks, up to the session's window at once, from `start` to the end. */
  private async pipeline(start: number): Promise<{ off: number; match?: boolean }> {
    let next = start;
    let confirmed = start;
    const inflight: { end: number; answer: Promise<{ off: number; match?: boolean }> }[] = [];
    try {
      for (;;) {
        while (inflight.length < this.session.window && next < this.total) {
          const data = await this.source.read(next, this.chunkLength(next));
          const answer = this.send({ off: next, data });
          answer.catch(() => undefined);
          next += data.length;
          inflight.push({ end: next, answer });
        }
        const head = inflight.shift();
        if (!head) throw new DeviceError('protocol', 'Upload pipeline ran dry before the end of the image.');
        let got = await head.answer;
        if (got.off !== head.end) {
          // The device dropped this chunk; it answers every chunk behind it with its expected offset (§5.6).
          for (const rest of inflight.splice(0)) got = await rest.answer;
          this.stalls = got.off <= confirmed ? this.stalls + 1 : 0;
          if (this.stalls >= MAX_STALLS) throw new DeviceError('protocol', `The device keeps answering offset ${got.off} without progress.`);
          next = got.off;
        } else {
          this.stalls = 0;
        }
        confirmed = got.off;
        this.progress(confirmed);
        if (confirmed >= this.total) return got;
      }
    } finally {
      inflight.length = 0;
    }
  }

  private async send(body: SmpBody, timeoutMs?: number): Promise<{ off: number; match?: boolean }> {
    if (this.o.signal?.aborted) throw cancelled();
    const request = { op: 'write' as const, group: SmpGroup.image, id: ImageCmd.upload, body, timeoutMs, signal: this.o.signal };
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
