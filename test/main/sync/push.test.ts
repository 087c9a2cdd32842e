import { afterEach, describe, expect, it } from 'vitest';
import type { SyncStatus } from '../../../main/sync/status';
import { makeHarness, type Harness } from './harness';
import { openApiChecker } from './openapi-validator';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const results = (n: number, prefix = 'r'): { kind: 'result'; payload: unknown; idempotencyKey: string }[] =>
  Array.from({ length: n }, (_, i) => ({ kind: 'result', payload: { device: `d-${i % 50}`, outcome: 'done', seq: i }, idempotencyKey: `${prefix}-${i}` }));

describe('pushing the outbox', () => {
  it('delivers 10,000 results exactly once under 500s, hangs, drops after commit, replays and slow answers', async () => {
    h = await makeHarness({
      seed: 42,
      faults: { error500: 0.1, hang: 0.03, dropAfterCommit: 0.12, duplicate: 0.08, slow: 0.05, slowMs: 15 },
      connector: { timeouts: { requestMs: 300 }, push: { batchSize: 200, maxConsecutiveFailures: 50 } },
    });
    const items = results(10_000);
    h.connector.outbox.enqueueMany(items, h.clock.now());
    for (let round = 0; round < 20 && h.connector.outbox.count() > 0; round++) await h.connector.push();

    expect(h.connector.outbox.count()).toBe(0);
    expect(h.cloud.committed.size).toBe(10_000);
    expect(h.cloud.effects).toBe(10_000);
    for (const it of items) expect(h.cloud.committed.get(it.idempotencyKey)?.payload).toEqual(it.payload);
    // The faults really happened, and some items really arrived more than once.
    for (const n of Object.values(h.cloud.faultsFired)) expect(n).toBeGreaterThan(0);
    expect([...h.cloud.deliveries.values()].some((n) => n > 1)).toBe(true);
    // Backoff waited on the virtual clock, not in real time.
    expect(h.clock.slept).toBeGreaterThan(0);
    const checker = openApiChecker();
    expect(h.cloud.exchanges.flatMap((ex) => checker.check(ex))).toEqual([]);
  });

  it('stops when the cloud goes away mid-sync and resumes where it was when it comes back', async () => {
    h = await makeHarness({ connector: { push: { batchSize: 100, maxConsecutiveFailures: 3 } } });
    const cloud = h.cloud;
    cloud.onUpload = (n) => {
      if (n === 4) cloud.down = true;
    };
    const seen: SyncStatus[] = [];
    h.connector.onStatus((s) => seen.push(s));
    h.connector.outbox.enqueueMany(results(1_000), h.clock.now());

    const first = await h.connector.syncNow();
    expect(first.error?.kind).toBe('offline');
    expect(h.connector.status).toMatchObject({ online: false, waiting: 700, syncing: false, lastErrorKind: 'offline' });
    expect(h.connector.status.lastError).toMatch(/Cannot reach the cloud/);
    expect(cloud.committed.size).toBe(300);

    cloud.down = false;
    const second = await h.connector.syncNow({ siteIds: ['s-pump-7'] });
    expect(second.error).toBeNull();
    expect(cloud.committed.size).toBe(1_000);
    expect(cloud.effects).toBe(1_000);
    expect(h.connector.status).toMatchObject({ online: true, waiting: 0, lastError: null, lastSyncAt: h.clock.now() });
    expect(seen.map((s) => s.online).filter((v, i, a) => v !== a[i - 1])).toEqual([null, true, false, true]);
  });

  it('sends rows still waiting out a long backoff as soon as the server answers again', async () => {
    h = await makeHarness({ connector: { push: { batchSize: 100, maxConsecutiveFailures: 1, backoff: { baseMs: 600_000, capMs: 600_000 } } } });
    h.cloud.down = true;
    h.connector.outbox.enqueueMany(results(100), h.clock.now());
    await h.connector.push();
    expect(h.connector.outbox.nextDueAt()).toBeGreaterThan(h.clock.now());
    const push = await h.connector.push();
    expect(push.acknowledged).toBe(0); // not due yet, and this drain does not wait for an old backoff
    h.cloud.down = false;
    const sleptBefore = h.clock.slept;
    const report = await h.connector.syncNow();
    expect(report.error).toBeNull();
    expect(h.cloud.committed.size).toBe(100);
    expect(h.clock.slept).toBe(sleptBefore);
  });

  it('syncs on an interval, and more often while the cloud cannot be reached', async () => {
    h = await makeHarness();
    const harness = h;
    harness.cloud.down = true;
    const starts: number[] = [];
    const stop = new AbortController();
    let wasSyncing = false;
    harness.connector.onStatus((s) => {
      const started = s.syncing && !wasSyncing;
      wasSyncing = s.syncing;
      if (!started) return;
      starts.push(harness.clock.now());
      if (starts.length === 2) harness.cloud.down = false;
      if (starts.length === 4) stop.abort();
    });
    await harness.connector.autoSync(stop.signal, { intervalMs: 600_000, offlineRetryMs: 30_000 });
    expect(starts.slice(1).map((t, i) => t - (starts[i] ?? 0))).toEqual([30_000, 600_000, 600_000]);
    expect(harness.connector.status.lastSyncAt).toBe(starts[2]);
  });

  it('leaves rows in the outbox and says to sign in again when the token is refused', async () => {
    h = await makeHarness({ connector: { token: async () => 'expired-token-xyz' } });
    h.connector.enqueue('audit', { what: 'rekey' }, 'a-1');
    const report = await h.connector.syncNow();
    expect(report.error?.kind).toBe('unauthorized');
    expect(h.connector.outbox.count()).toBe(1);
    expect(h.connector.status.lastError).toMatch(/Sign in again/);
    expect(h.cloud.committed.size).toBe(0);
  });

  it('parks items the server rejects for good and sends the rest', async () => {
    h = await makeHarness();
    h.cloud.rejectKeys.add('r-bad');
    h.connector.outbox.enqueueMany(results(5), h.clock.now());
    h.connector.enqueue('result', { device: 'unknown' }, 'r-bad');
    const report = await h.connector.push();
    expect(report).toMatchObject({ acknowledged: 5, parked: 1, waiting: 1, stoppedBy: null });
    expect(h.cloud.committed.has('r-bad')).toBe(false);
    expect(h.connector.outbox.due(Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
    const again = await h.connector.push();
    expect(again.acknowledged).toBe(0);
    expect(h.cloud.deliveries.get('r-bad')).toBe(1);
  });
});
