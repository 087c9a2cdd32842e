import { describe, expect, it } from 'vitest';
import { fullJitterDelay } from '../../../main/sync/backoff';
import { LinkScheduler } from '../../../main/jobs/scheduler';
import type { TargetLink } from '../../../main/jobs/types';
import { seededRandom } from '../../../main/sim/rng';

const serial = (path: string): TargetLink => ({ kind: 'serial', path });
const ble = (address: string): TargetLink => ({ kind: 'ble', address });
const flush = () => new Promise((r) => setImmediate(r));

describe('LinkScheduler', () => {
  it('runs one session per serial port and lets other ports run at once', async () => {
    const s = new LinkScheduler({ ble: 2 });
    const r1 = await s.acquire(serial('/dev/a'));
    await s.acquire(serial('/dev/b'));
    let second = false;
    void s.acquire(serial('/dev/a')).then(() => (second = true));
    await flush();
    expect(second).toBe(false);
    expect(s.running).toBe(2);
    r1();
    await flush();
    expect(second).toBe(true);
  });

  it('holds BLE to its parallel limit without holding back serial ports', async () => {
    const s = new LinkScheduler({ ble: 2 });
    const granted: string[] = [];
    for (const a of ['1', '2', '3', '4']) void s.acquire(ble(a)).then(() => granted.push(`ble${a}`));
    void s.acquire(serial('/dev/x')).then(() => granted.push('serial'));
    await flush();
    expect(granted).toEqual(['ble1', 'ble2', 'serial']);
  });

  it('caps sessions overall and gives a slot back only once', async () => {
    const s = new LinkScheduler({ ble: 5, total: 1 });
    const release = await s.acquire(ble('1'));
    let got = 0;
    void s.acquire(ble('2')).then(() => got++);
    void s.acquire(ble('3')).then(() => got++);
    release();
    release();
    await flush();
    expect(got).toBe(1);
    expect(s.running).toBe(1);
  });

  it('drops a waiter whose signal aborts', async () => {
    const s = new LinkScheduler({ ble: 1 });
    const release = await s.acquire(ble('1'));
    const ac = new AbortController();
    const waiting = s.acquire(ble('2'), ac.signal);
    ac.abort();
    await expect(waiting).rejects.toMatchObject({ kind: 'cancelled' });
    release();
    expect(s.running).toBe(0);
  });
});

describe('retry backoff (shared full-jitter rule, injected randomness)', () => {
  it('grows with each failure up to the cap and is reproducible with a seeded rng', () => {
    const policy = { baseMs: 500, capMs: 10_000 };
    const ceilings = [0, 1, 2, 3, 4, 5, 6].map((n) => fullJitterDelay(n, policy, () => 0.999_999));
    expect(ceilings).toEqual([499, 999, 1999, 3999, 7999, 9999, 9999]);
    const a = seededRandom(3);
    const b = seededRandom(3);
    expect([0, 1, 2].map((n) => fullJitterDelay(n, policy, a))).toEqual([0, 1, 2].map((n) => fullJitterDelay(n, policy, b)));
  });
});
