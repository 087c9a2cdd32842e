import type { Clock, Rng } from '../../../main/sync/clock';

/** mulberry32: a small seeded rng, so a fault schedule replays exactly. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A clock whose sleeps advance virtual time at once (after letting pending I/O run). */
export class VirtualClock implements Clock {
  slept = 0;
  constructor(private t = 1_700_000_000_000) {}
  now(): number {
    return this.t;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.t += ms;
    this.slept += ms;
    await new Promise((r) => setImmediate(r));
  }
}
