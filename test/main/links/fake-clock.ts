import type { Clock } from '../../../main/links/clock';

/**
 * A clock that moves only when told. `advance` fires due timers in time order and lets promise
 * chains settle after each, so code awaiting timers runs as it would in real time.
 */
export class FakeClock implements Clock {
  private time = 0;
  private seq = 0;
  private timers: { due: number; seq: number; fn: () => void }[] = [];

  now(): number {
    return this.time;
  }

  schedule(fn: () => void, ms: number): () => void {
    const timer = { due: this.time + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await settle();
    for (;;) {
      const next = this.timers.filter((t) => t.due <= target).sort((x, y) => x.due - y.due || x.seq - y.seq)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = next.due;
      next.fn();
      await settle();
    }
    this.time = target;
    await settle();
  }

  /** Advances in steps until `done` resolves (or `limitMs` passes); returns its value. */
  async run<T>(done: Promise<T>, stepMs = 10, limitMs = 600_000): Promise<T> {
    let finished = false;
    const watched = done.finally(() => (finished = true));
    watched.catch(() => undefined);
    for (let t = 0; !finished && t < limitMs; t += stepMs) await this.advance(stepMs);
    return watched;
  }
}

/** Lets pending promise callbacks and queued microtasks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
