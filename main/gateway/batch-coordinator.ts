import { cancelled, DeviceError } from '../devices/errors';
import { SiteflashError } from '../errors';
import type { JobImage } from '../jobs/driver';
import { sleep, type Clock } from '../links/clock';
import type { TargetState, TargetStatus } from './answers';
import { reasonOf } from './batch-states';
import { GatewayError } from './errors';
import type { GatewayClient } from './gateway-client';

/** How batches are formed and followed. */
export interface BatchCoordinatorOptions {
  clock: Clock;
  gatewayBufSize: number;
  batchSize: number;
  redundancy: number;
  /** Quiet time after the last join before the batch starts, ms. */
  gatherMs: number;
  /** batch_status interval, ms. */
  pollMs: number;
  /** Status polls that may fail in a row before the batch counts as lost (default 10). */
  maxPollFailures?: number;
}

/** One device's view of the batch it is in. */
export interface BatchWaiter {
  /** Resolves with the target once it reaches one of `states`; rejects when it fails, is cancelled or the batch is lost. */
  until(states: TargetState[], signal: AbortSignal): Promise<TargetStatus>;
}

type Progress = (bytes: number, total: number, rate: number) => void;

interface Entry {
  id: string;
  status: TargetStatus | undefined;
  error: Error | undefined;
  aborted: boolean;
  job: number | undefined;
  onProgress: Progress;
  last: { bytes: number; at: number } | undefined;
  wake: Set<() => void>;
}

interface Gather {
  key: string;
  image: JobImage;
  entries: Entry[];
  /** The gather window closed: the batch waits its turn and takes no quiet time any more. */
  ready: boolean;
  cancelTimer: () => void;
}

const ENDS: readonly TargetState[] = ['joined', 'failed', 'rolled_back', 'cancelled'];

/**
 * Turns per-device transfer requests into gateway batches, one image at a time: a gateway holds
 * one staged image and sends it while a batch runs (field-group.md "stage", "batch"). Devices
 * that ask for the same image within `gatherMs` of each other go into one `batch`; closed gathers
 * queue in the order their windows closed; the head of the queue has its image staged (resumable;
 * one exchange when the gateway already holds it), its batch started and followed by `batch_status`
 * to the end, and only then does the next one stage. A device only ever joins the gather of its
 * own image, so a batch never holds a device whose image is another one.
 */
export class GatewayBatches {
  /** Gathers by image SHA-256 (hex), open or queued, not yet started. */
  private readonly gathers = new Map<string, Gather>();
  private readonly queue: Gather[] = [];
  private running = false;
  private readonly byDevice = new Map<string, Entry>();

  constructor(
    private readonly client: GatewayClient,
    private o: BatchCoordinatorOptions,
  ) {}

  /** Batch size and redundancy for the batches that start from now on (those already sent keep theirs). */
  configure(s: { batchSize: number; redundancy: number }): void {
    this.o = { ...this.o, batchSize: s.batchSize, redundancy: s.redundancy };
  }

  /** The waiter of the batch `id` is already in (after a reconnect), if any. */
  waiterFor(id: string): BatchWaiter | undefined {
    const e = this.byDevice.get(id);
    return e && !e.error && !(e.status && ENDS.includes(e.status.state) && e.status.state !== 'joined' && e.status.state !== 'rolled_back') ? this.waiter(e) : undefined;
  }

  /**
   * Adds device `id` to the gather for `image`: the open one (restarting its quiet time), or the
   * one queued behind a running batch; a new one otherwise.
   */
  join(id: string, image: JobImage, onProgress: Progress, signal: AbortSignal): BatchWaiter {
    signal.throwIfAborted();
    const key = Buffer.from(image.sha).toString('hex');
    const entry: Entry = { id, status: undefined, error: undefined, aborted: false, job: undefined, onProgress, last: undefined, wake: new Set() };
    this.byDevice.set(id, entry);
    let g = this.gathers.get(key);
    if (!g) {
      g = { key, image, entries: [], ready: false, cancelTimer: () => undefined };
      this.gathers.set(key, g);
    }
    g.entries.push(entry);
    if (!g.ready) {
      const gather = g;
      gather.cancelTimer();
      gather.cancelTimer = this.o.clock.schedule(() => {
        gather.ready = true;
        this.queue.push(gather);
        void this.pump();
      }, this.o.gatherMs);
    }
    return this.waiter(entry);
  }

  /** Runs the queued batches one after the other; a second call while one runs does nothing. */
  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let g = this.queue.shift(); g; g = this.queue.shift()) {
        // Devices that ask for this image from now on gather for the next batch of it.
        this.gathers.delete(g.key);
        await this.launch(g);
      }
    } finally {
      this.running = false;
    }
  }

  private waiter(e: Entry): BatchWaiter {
    return {
      until: (states, signal) =>
        new Promise<TargetStatus>((resolve, reject) => {
          const check = () => {
            if (signal.aborted) return finish(() => this.abandon(e, reject));
            if (e.error) return finish(() => reject(e.error));
            const s = e.status;
            if (!s) return;
            if (states.includes(s.state)) return finish(() => resolve(s));
            if (ENDS.includes(s.state)) return finish(() => reject(targetError(s, e.id)));
          };
          const finish = (then: () => void) => {
            e.wake.delete(check);
            signal.removeEventListener('abort', check);
            then();
          };
          e.wake.add(check);
          signal.addEventListener('abort', check, { once: true });
          check();
        }),
    };
  }

  /** A device's run gave up waiting: when no device of its batch still waits, cancel the batch. */
  private abandon(e: Entry, reject: (err: Error) => void): void {
    e.aborted = true;
    reject(cancelled());
    if (e.job === undefined) return;
    const mates = [...this.byDevice.values()].filter((x) => x.job === e.job);
    if (mates.every((x) => x.aborted || (x.status && ENDS.includes(x.status.state)))) void this.client.batchCancel(e.job).catch(() => undefined);
  }

  private async launch(g: Gather): Promise<void> {
    const live = g.entries.filter((e) => !e.aborted);
    if (live.length === 0) return;
    let job: number;
    try {
      await this.stage(g);
      job = await this.client.batch({ sha: g.image.sha, targets: live.map((e) => e.id), batchSize: this.o.batchSize, redundancy: this.o.redundancy, confirm: false });
    } catch (err) {
      for (const e of live) this.fail(e, err instanceof Error ? err : new Error(String(err)));
      return;
    }
    for (const e of live) e.job = job;
    await this.follow(job, live);
  }

  /** Stages the gather's image; a gateway that already holds it answers `match` to the first chunk (one exchange). */
  private async stage(g: Gather): Promise<void> {
    await this.client.stage(g.image.source, { bufSize: this.o.gatewayBufSize, sha: g.image.sha });
  }

  /** Polls batch_status until the batch ends, feeding each device's entry. */
  private async follow(job: number, entries: Entry[]): Promise<void> {
    let failures = 0;
    for (;;) {
      await sleep(this.o.clock, this.o.pollMs);
      let status;
      try {
        status = await this.client.batchStatus(job);
        failures = 0;
      } catch (err) {
        if (++failures < (this.o.maxPollFailures ?? 10)) continue;
        const lost = new GatewayError('batch-lost', `The gateway stopped reporting batch ${job}: ${err instanceof Error ? err.message : String(err)}`);
        for (const e of entries) this.fail(e, lost);
        return;
      }
      const byId = new Map(status.targets.map((t) => [t.id, t]));
      for (const e of entries) {
        const t = byId.get(e.id);
        if (t) this.update(e, t);
      }
      if (status.state !== 'running') return;
    }
  }

  private update(e: Entry, t: TargetStatus): void {
    const now = this.o.clock.now();
    const rate = e.last && now > e.last.at ? Math.max(0, ((t.bytes - e.last.bytes) * 1000) / (now - e.last.at)) : 0;
    e.last = { bytes: t.bytes, at: now };
    e.status = t;
    if (t.state === 'transferring' || t.state === 'verifying') e.onProgress(t.bytes, t.total, rate);
    for (const w of [...e.wake]) w();
  }

  private fail(e: Entry, err: Error): void {
    e.error = err;
    for (const w of [...e.wake]) w();
  }
}

/** The error a failed gateway target ends its device with: a timeout is retried, the rest are final. */
export function targetError(t: Pick<TargetStatus, 'state' | 'err'>, id: string): Error {
  const r = reasonOf(t);
  if (t.err === 'timeout') return new DeviceError('timeout', `Device ${id}: ${r.message}`);
  return new SiteflashError(r.kind, `Device ${id}: ${r.message}`, true);
}
