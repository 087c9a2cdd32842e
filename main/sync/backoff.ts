import type { Rng } from './clock';

/** Exponential backoff bounds. */
export interface BackoffPolicy {
  /** Ceiling of the first retry's delay, ms. */
  baseMs: number;
  /** Largest ceiling, ms, however many attempts failed. */
  capMs: number;
}

/** 1 s doubling to 5 min: a laptop offline for hours retries a few times an hour, not a few times a second. */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 5 * 60_000 };

/**
 * "Full jitter" backoff: a uniform delay in [0, min(cap, base·2^attempt)). Spreading retries over
 * the whole window keeps many laptops that lost the same server from coming back in lockstep.
 * `attempt` counts failures so far, starting at 0.
 */
export function fullJitterDelay(attempt: number, policy: BackoffPolicy, rng: Rng): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(rng() * ceiling);
}
