import type { Clock } from '../links/clock';

/**
 * Items released in order, each at its own time. One timer at a time, for the head: separate
 * timers of different lengths may fire out of order (a 1.3 ms line scheduled after a 2.5 ms one),
 * which would scramble a byte stream; a timer that fires early is simply armed again.
 */
export class PacedQueue<T> {
  private readonly items: { at: number; item: T }[] = [];
  private cancel: (() => void) | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly release: (item: T) => void,
  ) {}

  /** Queues `item` for release at clock time `at` (after every item queued before it). */
  push(at: number, item: T): void {
    this.items.push({ at, item });
    this.arm();
  }

  /** Drops every queued item and stops the timer. */
  clear(): void {
    this.items.length = 0;
    this.cancel?.();
    this.cancel = undefined;
  }

  private arm(): void {
    const head = this.items[0];
    if (this.cancel || !head) return;
    this.cancel = this.clock.schedule(() => {
      this.cancel = undefined;
      const now = this.clock.now();
      while (this.items.length > 0 && (this.items[0] as { at: number }).at <= now) this.release((this.items.shift() as { item: T }).item);
      this.arm();
    }, head.at - this.clock.now());
  }
}
