import { describe, expect, it } from 'vitest';
import { fullJitterDelay } from '../../../main/sync/backoff';
import { seededRng } from './fakes';
import { openApiChecker } from './openapi-validator';

describe('full-jitter backoff', () => {
  const policy = { baseMs: 1_000, capMs: 60_000 };

  it('draws from [0, base·2^attempt) and never past the cap', () => {
    expect(fullJitterDelay(0, policy, () => 0.999)).toBe(999);
    expect(fullJitterDelay(3, policy, () => 0.5)).toBe(4_000);
    expect(fullJitterDelay(20, policy, () => 0.999)).toBe(59_940);
    expect(fullJitterDelay(5, policy, () => 0)).toBe(0);
  });

  it('spreads retries over the whole window instead of bunching them', () => {
    const rng = seededRng(9);
    const delays = Array.from({ length: 2_000 }, () => fullJitterDelay(4, policy, rng));
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    expect(Math.min(...delays)).toBeLessThan(800);
    expect(Math.max(...delays)).toBeGreaterThan(15_200);
    expect(mean).toBeGreaterThan(7_200);
    expect(mean).toBeLessThan(8_800);
  });
});

describe('the OpenAPI checker used on the test cloud', () => {
  const checker = openApiChecker();
  it('accepts an answer that fits the schema', () => {
    expect(checker.check({ method: 'GET', route: '/v1/health', status: 200, headers: {}, responseBody: { status: 'ok', time: '2026-01-01T00:00:00Z' } })).toEqual([]);
  });
  it('catches an answer that does not', () => {
    expect(checker.check({ method: 'GET', route: '/v1/health', status: 200, headers: {}, responseBody: { status: 'fine' } })).not.toEqual([]);
    expect(
      checker.check({ method: 'POST', route: '/v1/results/batch', status: 200, headers: {}, responseBody: { items: [{ idempotencyKey: 'k', status: 'maybe' }] } }),
    ).not.toEqual([]);
    expect(checker.check({ method: 'GET', route: '/v1/nowhere', status: 200, headers: {} })).not.toEqual([]);
  });
});
