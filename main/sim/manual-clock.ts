import type { Clock } from '../links/clock';

/**
 * A clock that moves only when told to, for tests and fast deterministic simulation runs.
 * Scheduled functions run in time order (ties in scheduling order) as time is advanced.
 */
export class ManualClock implements Clock {
  private time: number;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  schedule(fn: () => void, ms: number): () => void {
    const id = this.seq++;
    this.timers.set(id, { at: this.time + Math.max(0, ms), fn });
    return () => this.timers.delete(id);
  }

  /** Number of timers waiting. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, running every timer that falls due on the way. */
  advance(ms: number): void {
    const until = this.time + ms;
    for (let next = this.nextDue(until); next; next = this.nextDue(until)) {
      this.timers.delete(next.id);
      this.time = Math.max(this.time, next.at);
      next.fn();
    }
    this.time = until;
  }

  /** Runs timers until none is left or `limitMs` of simulated time has passed; returns the time spent. */
  runUntilIdle(limitMs = 3_600_000): number {
    const start = this.time;
    for (let next = this.nextDue(start + limitMs); next; next = this.nextDue(start + limitMs)) {
      this.timers.delete(next.id);
      this.time = Math.max(this.time, next.at);
      next.fn();
    }
    return this.time - start;
  }

  private nextDue(until: number): { id: number; at: number; fn: () => void } | undefined {
    let best: { id: number; at: number; fn: () => void } | undefined;
    for (const [id, t] of this.timers) if (t.at <= until && (!best || t.at < best.at || (t.at === best.at && id < best.id))) best = { id, ...t };
    return best;
  }
}
