import type { Clock } from '../links/clock';
import type { JobProgressEvent, ProgressFigures } from './types';

/** At most this many progress events per job per second. */
export const MAX_PROGRESS_PER_SECOND = 10;

/** Figures of a job from its devices': bytes and totals add up, so do rates; ETA from the sums. */
export function sumFigures(devices: readonly ProgressFigures[]): ProgressFigures {
  const bytes = devices.reduce((n, d) => n + d.bytes, 0);
  const total = devices.reduce((n, d) => n + d.total, 0);
  const rate = devices.reduce((n, d) => n + d.rate, 0);
  return { bytes, total, rate, etaSeconds: rate > 0 ? (total - bytes) / rate : null };
}

/**
 * Coalesces per-device progress into job events, at most {@link MAX_PROGRESS_PER_SECOND} a second
 * however many devices report: an update marks the job dirty and one timer sends the latest
 * figures when the interval since the last event has passed.
 */
export class ProgressCoalescer {
  private readonly figures = new Map<string, ProgressFigures>();
  private lastEmit = -Infinity;
  private timer: (() => void) | undefined;
  private readonly intervalMs = 1000 / MAX_PROGRESS_PER_SECOND;

  constructor(
    readonly jobId: string,
    private readonly clock: Clock,
    private readonly emit: (event: JobProgressEvent) => void,
  ) {}

  /** Latest figures of one device. */
  update(key: string, bytes: number, total: number, rate: number): void {
    this.figures.set(key, { bytes, total, rate, etaSeconds: rate > 0 ? (total - bytes) / rate : null });
    if (this.timer) return;
    this.arm();
  }

  private arm(): void {
    // Whole milliseconds, rounded up: real timers drop fractions and would fire a little early.
    const wait = Math.max(0, Math.ceil(this.lastEmit + this.intervalMs - this.clock.now()));
    this.timer = this.clock.schedule(() => this.send(), wait);
  }

  /** A device stopped transferring: its rate drops to zero (bytes stay). */
  idle(key: string): void {
    const f = this.figures.get(key);
    if (f && f.rate !== 0) this.update(key, f.bytes, f.total, 0);
  }

  /** The current figures of one device. */
  of(key: string): ProgressFigures {
    return this.figures.get(key) ?? { bytes: 0, total: 0, rate: 0, etaSeconds: null };
  }

  /** Job figures now. */
  job(): ProgressFigures {
    return sumFigures([...this.figures.values()]);
  }

  /** Stops the timer (the job ended or the service closes). */
  dispose(): void {
    this.timer?.();
    this.timer = undefined;
  }

  private send(): void {
    this.timer = undefined;
    if (this.clock.now() < this.lastEmit + this.intervalMs) return this.arm();
    this.lastEmit = this.clock.now();
    this.emit({ jobId: this.jobId, job: this.job(), devices: [...this.figures].map(([key, progress]) => ({ key, progress })) });
  }
}
