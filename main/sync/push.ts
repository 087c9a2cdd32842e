import type { ChainHead } from '../store/audit-chain';
import type { Outbox, OutboxRow } from '../store/outbox';
import { UPLOAD_PATH, uploadAckSchema } from './api-schemas';
import { fullJitterDelay, type BackoffPolicy } from './backoff';
import type { Clock, Rng } from './clock';
import { cloudRequest, RawJson, readJson, type CloudEndpoint } from './http';
import { SyncError } from './sync-error';

/** Tuning of one outbox drain. */
export interface PushOptions {
  /** Items per upload request (the API allows up to 500). */
  batchSize: number;
  /** Per-request timeout, ms. */
  timeoutMs: number;
  backoff: BackoffPolicy;
  /** Consecutive transient failures after which the drain stops and reports the connection lost. */
  maxConsecutiveFailures: number;
}

/** What the drain needs from the outside. */
export interface PushDeps {
  outbox: Outbox;
  endpoint: CloudEndpoint;
  clock: Clock;
  rng: Rng;
  /** Called after each batch, with how many rows still wait. */
  onProgress?: (waiting: number) => void;
  signal?: AbortSignal;
  /**
   * The audit chain's head as kept with the sync state, sent with every batch (`auditChainHead`)
   * so the cloud can tell a gap in what it received from a laptop that has nothing more.
   */
  chainHead?: () => ChainHead | null;
}

/** How a drain ended. */
export interface PushReport {
  /** Rows the server acknowledged (accepted or duplicate); they left the outbox. */
  acknowledged: number;
  /** Rows the server rejected for good; they stay in the outbox, parked. */
  parked: number;
  /** Rows still in the outbox (parked ones included). */
  waiting: number;
  /** Why the drain stopped early; null when nothing due is left. */
  stoppedBy: SyncError | null;
}

/**
 * Uploads the outbox in batches until nothing is due. A row leaves the outbox only once the server
 * has acknowledged its idempotency key; if the connection drops after the server committed a batch,
 * the rows stay and go again, and the server answers `duplicate` for them with no second effect.
 * Transient failures are retried after a full-jitter exponential backoff (waiting on the injected
 * clock); after `maxConsecutiveFailures` in a row the drain gives up and reports why. Rows whose
 * backoff was set by an earlier drain are not waited for (see `Outbox.retryNow`).
 * Non-transient failures (e.g. `unauthorized`) stop it at once.
 */
export async function drainOutbox(deps: PushDeps, opts: PushOptions): Promise<PushReport> {
  const { outbox, clock } = deps;
  let acknowledged = 0;
  let parked = 0;
  let failures = 0;
  let failedThisDrain = false;
  const done = (stoppedBy: SyncError | null): PushReport => ({ acknowledged, parked, waiting: outbox.count(), stoppedBy });
  for (;;) {
    deps.signal?.throwIfAborted();
    const now = clock.now();
    const rows = outbox.due(now, opts.batchSize);
    if (rows.length === 0) {
      // Rows scheduled by an earlier drain wait for their time (or for retryNow); rows that failed
      // in this drain are waited for here, bounded by maxConsecutiveFailures.
      const next = outbox.nextDueAt();
      if (next === null || !failedThisDrain) return done(null);
      await clock.sleep(Math.max(0, next - now), deps.signal);
      continue;
    }
    try {
      const r = await sendBatch(deps, rows, opts.timeoutMs);
      if (r.acked.length > 0) outbox.acknowledge(r.acked);
      if (r.rejected.length > 0) outbox.park(r.rejected);
      acknowledged += r.acked.length;
      parked += r.rejected.length;
      if (r.missing.length > 0) {
        failedThisDrain = true;
        outbox.fail(r.missing, 'The cloud did not acknowledge this item.', now + fullJitterDelay(0, opts.backoff, deps.rng));
      }
      failures = 0;
      deps.onProgress?.(outbox.count());
    } catch (err) {
      if (!(err instanceof SyncError)) throw err;
      if (err.kind === 'bad-response' && err.details?.status === 400) {
        // The server says this batch can never be accepted as sent; keep it for a person to see.
        outbox.park(rows.map((row) => ({ idempotencyKey: row.idempotencyKey, error: err.message })));
        parked += rows.length;
        continue;
      }
      if (!err.transient) return done(err);
      failures++;
      failedThisDrain = true;
      const attempt = Math.max(...rows.map((row) => row.attempts));
      outbox.fail(
        rows.map((row) => row.id),
        err.message,
        now + fullJitterDelay(attempt, opts.backoff, deps.rng),
      );
      deps.onProgress?.(outbox.count());
      if (failures >= opts.maxConsecutiveFailures) return done(err);
    }
  }
}

async function sendBatch(
  deps: PushDeps,
  rows: OutboxRow[],
  timeoutMs: number,
): Promise<{ acked: string[]; rejected: { idempotencyKey: string; error: string }[]; missing: number[] }> {
  const kind = rows[0]?.kind ?? 'result';
  // Payloads are stored as JSON text; splice them in rather than parse and re-serialise each one.
  const head = deps.chainHead?.() ?? null;
  const headJson = head ? `"auditChainHead":${JSON.stringify({ id: head.id, hash: head.hash })},` : '';
  const body = new RawJson(`{${headJson}"items":[${rows.map((r) => `{"idempotencyKey":${JSON.stringify(r.idempotencyKey)},"payload":${r.payload}}`).join(',')}]}`);
  const res = await cloudRequest(deps.endpoint, UPLOAD_PATH[kind], {
    method: 'POST',
    body,
    timeoutMs,
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  if (res.status !== 200) {
    const text = await res.text().catch(() => '');
    throw new SyncError('bad-response', `The cloud refused an upload batch (HTTP ${res.status}): ${text.slice(0, 200)}`, { status: res.status });
  }
  const ack = await readJson(res, (v) => uploadAckSchema.parse(v), 'an upload batch');
  const inBatch = new Set(rows.map((r) => r.idempotencyKey));
  const answered = new Set<string>();
  const acked: string[] = [];
  const rejected: { idempotencyKey: string; error: string }[] = [];
  for (const item of ack.items) {
    if (!inBatch.has(item.idempotencyKey) || answered.has(item.idempotencyKey)) continue;
    answered.add(item.idempotencyKey);
    if (item.status === 'rejected') rejected.push({ idempotencyKey: item.idempotencyKey, error: item.error ?? 'Rejected by the cloud.' });
    else acked.push(item.idempotencyKey);
  }
  const missing = rows.filter((r) => !answered.has(r.idempotencyKey)).map((r) => r.id);
  return { acked, rejected, missing };
}
