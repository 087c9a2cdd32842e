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
  image: JobImage;
  entries: Entry[];
  cancelTimer: () => void;
}

const ENDS: readonly TargetState[] = ['joined', 'failed', 'rolled_back', 'cancelled'];

/**
 * Turns per-device transfer requests into gateway batches: devices that ask for the same image
 * within `gatherMs` of each other go into one `batch`; the image is staged once per SHA-256
 * (resumable); one `batch_status` poll per batch feeds every device's progress and state.
 */
export class GatewayBatches {
  private readonly gathers = new Map<string, Gather>();
  private readonly staged = new Map<string, Promise<void>>();
  private readonly byDevice = new Map<string, Entry>();

  constructor(
    private readonly client: GatewayClient,
    private readonly o: BatchCoordinatorOptions,
  ) {}

  /** The waiter of the batch `id` is already in (after a reconnect), if any. */
  waiterFor(id: string): BatchWaiter | undefined {
    const e = this.byDevice.get(id);
    return e && !e.error && !(e.status && ENDS.includes(e.status.state) && e.status.state !== 'joined' && e.status.state !== 'rolled_back') ? this.waiter(e) : undefined;
  }

  /** Adds device `id` to the batch gathering for `image`. */
  join(id: string, image: JobImage, onProgress: Progress, signal: AbortSignal): BatchWaiter {
    signal.throwIfAborted();
    const key = Buffer.from(image.sha).toString('hex');
    const entry: Entry = { id, status: undefined, error: undefined, aborted: false, job: undefined, onProgress, last: undefined, wake: new Set() };
    this.byDevice.set(id, entry);
    const g = this.gathers.get(key);
    g?.cancelTimer();
    const gather: Gather = { image, entries: [...(g?.entries ?? []), entry], cancelTimer: () => undefined };
    gather.cancelTimer = this.o.clock.schedule(() => {
      this.gathers.delete(key);
      void this.launch(key, gather);
    }, this.o.gatherMs);
    this.gathers.set(key, gather);
    return this.waiter(entry);
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

  private async launch(key: string, g: Gather): Promise<void> {
    const live = g.entries.filter((e) => !e.aborted);
    if (live.length === 0) return;
    let job: number;
    try {
      await this.stage(key, g.image);
      job = await this.client.batch({ sha: g.image.sha, targets: live.map((e) => e.id), batchSize: this.o.batchSize, redundancy: this.o.redundancy, confirm: false });
    } catch (err) {
      for (const e of live) this.fail(e, err instanceof Error ? err : new Error(String(err)));
      return;
    }
    for (const e of live) e.job = job;
    await this.follow(job, live);
  }

  private stage(key: string, image: JobImage): Promise<void> {
    let p = this.staged.get(key);
    if (!p) {
      p = this.client.stage(image.source, { bufSize: this.o.gatewayBufSize, sha: image.sha }).then(() => undefined);
      this.staged.set(key, p);
      p.catch(() => this.staged.delete(key));
    }
    return p;
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
