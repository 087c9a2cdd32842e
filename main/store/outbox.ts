import type { Db } from './db-type';

/** What the outbox carries to the cloud. */
export type OutboxKind = 'result' | 'audit';

/** One row waiting to be uploaded. */
export interface OutboxRow {
  id: number;
  kind: OutboxKind;
  /** The item as JSON text, sent as-is. */
  payload: string;
  /** Unique per item; the server dedupes on it, so a repeated upload has no second effect. */
  idempotencyKey: string;
  createdAt: number;
  attempts: number;
  lastError: string | null;
  /** Epoch ms before which the row is not retried; null when parked (rejected by the server). */
  nextAttemptAt: number | null;
}

interface RawRow {
  id: number;
  kind: OutboxKind;
  payload: string;
  idempotency_key: string;
  created_at: number;
  attempts: number;
  last_error: string | null;
  next_attempt_at: number | null;
}

const toRow = (r: RawRow): OutboxRow => ({
  id: r.id,
  kind: r.kind,
  payload: r.payload,
  idempotencyKey: r.idempotency_key,
  createdAt: r.created_at,
  attempts: r.attempts,
  lastError: r.last_error,
  nextAttemptAt: r.next_attempt_at,
});

/**
 * The durable outbox. Producers (jobs, audit) {@link enqueue}; the sync connector takes
 * {@link due} batches and removes rows only with {@link acknowledge}, once the server has
 * acknowledged their idempotency keys.
 */
export class Outbox {
  private readonly insert;
  private readonly selectDue;
  private readonly deleteByKey;
  private readonly markFailed;
  private readonly markParked;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      `INSERT INTO outbox (kind, payload, idempotency_key, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (idempotency_key) DO NOTHING`,
    );
    // One kind per batch (each kind has its own endpoint): the kind of the oldest due row.
    // The unary + keeps SQLite walking rows in id order and stopping at the limit; with the index
    // on next_attempt_at it would sort every due row first (measured: 5 ms a call at 20k rows).
    this.selectDue = db.prepare(
      `SELECT * FROM outbox WHERE +next_attempt_at <= @now AND kind = (
         SELECT kind FROM outbox WHERE +next_attempt_at <= @now ORDER BY id LIMIT 1)
       ORDER BY id LIMIT @limit`,
    );
    this.deleteByKey = db.prepare('DELETE FROM outbox WHERE idempotency_key = ?');
    this.markFailed = db.prepare(
      'UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?',
    );
    this.markParked = db.prepare(
      'UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = NULL WHERE idempotency_key = ?',
    );
  }

  /** Adds an item; a second enqueue with the same idempotency key is ignored. Returns true if added. */
  enqueue(kind: OutboxKind, payload: unknown, idempotencyKey: string, now: number): boolean {
    return this.insert.run(kind, JSON.stringify(payload), idempotencyKey, now).changes === 1;
  }

  /** Adds many items in one transaction (one fsync). Returns how many were new. */
  enqueueMany(items: readonly { kind: OutboxKind; payload: unknown; idempotencyKey: string }[], now: number): number {
    return this.db.transaction(() => items.reduce((n, i) => n + (this.enqueue(i.kind, i.payload, i.idempotencyKey, now) ? 1 : 0), 0))();
  }

  /** Up to `limit` rows of one kind that are due at `now`, oldest first. */
  due(now: number, limit: number): OutboxRow[] {
    return (this.selectDue.all({ now, limit }) as RawRow[]).map(toRow);
  }

  /** Removes the rows whose keys the server acknowledged. Returns how many left the outbox. */
  acknowledge(keys: readonly string[]): number {
    return this.db.transaction(() => keys.reduce((n, k) => n + this.deleteByKey.run(k).changes, 0))();
  }

  /** Records a failed attempt for these rows and when to try them again. */
  fail(ids: readonly number[], error: string, nextAttemptAt: number): void {
    this.db.transaction(() => ids.forEach((id) => this.markFailed.run(error, nextAttemptAt, id)))();
  }

  /** Parks rows the server rejected for good; they stay, visible, until a person deals with them. */
  park(rejected: readonly { idempotencyKey: string; error: string }[]): void {
    this.db.transaction(() => rejected.forEach((r) => this.markParked.run(r.error, r.idempotencyKey)))();
  }

  /**
   * Makes every row that waits for a backoff due at `now` (parked rows stay parked). Called when
   * the server is known to answer again: there is no point waiting out a backoff from an outage.
   */
  retryNow(now: number): number {
    return this.db.prepare('UPDATE outbox SET next_attempt_at = ? WHERE next_attempt_at > ?').run(now, now).changes;
  }

  /** Rows waiting (due later, due now, and parked). */
  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
  }

  /** Epoch ms when the next not-parked row becomes due, or null if none wait. */
  nextDueAt(): number | null {
    const r = this.db.prepare('SELECT min(next_attempt_at) AS t FROM outbox WHERE next_attempt_at IS NOT NULL').get() as { t: number | null };
    return r.t;
  }
}
