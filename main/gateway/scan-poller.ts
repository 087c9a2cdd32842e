import { sleep, systemClock, type Clock } from '../links/clock';
import { Listeners } from '../links/listeners';
import type { ScannedDevice } from './answers';

/** What changed between two scans. */
export interface ScanChange {
  devices: ScannedDevice[];
  added: string[];
  removed: string[];
  /** Devices whose mode, version or LED changed. */
  changed: string[];
}

/** Options of {@link ScanPoller}. */
export interface ScanPollerOptions {
  clock?: Clock;
  /** Pause between the end of one scan and the next (default 2 s). */
  intervalMs?: number;
  /** Listen time asked of the gateway per scan (default its 3 s). */
  listenMs?: number;
}

/**
 * Keeps the list of devices a gateway hears fresh while the Collect screen is open: scans,
 * waits, scans again; emits a change only when the list changed. Errors are reported and the
 * poller keeps going (a gateway busy with a batch may miss one scan).
 */
export class ScanPoller {
  private readonly clock: Clock;
  private abort: AbortController | undefined;
  private current: ScannedDevice[] = [];
  private readonly changes = new Listeners<ScanChange>();
  private readonly errors = new Listeners<unknown>();

  constructor(
    private readonly scan: (listenMs: number | undefined, signal: AbortSignal) => Promise<ScannedDevice[]>,
    private readonly o: ScanPollerOptions = {},
  ) {
    this.clock = o.clock ?? systemClock;
  }

  /** The last list heard. */
  get devices(): ScannedDevice[] {
    return this.current;
  }

  /** True between start and stop. */
  get running(): boolean {
    return this.abort !== undefined;
  }

  onChange(listener: (c: ScanChange) => void): () => void {
    return this.changes.add(listener);
  }

  onError(listener: (err: unknown) => void): () => void {
    return this.errors.add(listener);
  }

  /** Starts polling (no-op when running). */
  start(): void {
    if (this.abort) return;
    const abort = new AbortController();
    this.abort = abort;
    void this.loop(abort.signal);
  }

  /** Stops polling; a scan in flight is abandoned. */
  stop(): void {
    this.abort?.abort();
    this.abort = undefined;
  }

  private async loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        this.update(await this.scan(this.o.listenMs, signal));
      } catch (err) {
        if (signal.aborted) return;
        this.errors.emit(err);
      }
      await sleep(this.clock, this.o.intervalMs ?? 2000, signal).catch(() => undefined);
    }
  }

  private update(next: ScannedDevice[]): void {
    const before = new Map(this.current.map((d) => [d.id, d]));
    const after = new Map(next.map((d) => [d.id, d]));
    const added = next.filter((d) => !before.has(d.id)).map((d) => d.id);
    const removed = this.current.filter((d) => !after.has(d.id)).map((d) => d.id);
    const changed = next.filter((d) => {
      const old = before.get(d.id);
      return old !== undefined && (old.mode !== d.mode || old.version !== d.version || old.led !== d.led);
    }).map((d) => d.id);
    this.current = next;
    if (added.length + removed.length + changed.length > 0) this.changes.emit({ devices: next, added, removed, changed });
  }
}
