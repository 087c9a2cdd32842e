import type { Db } from './db-type';

/** The last sync as remembered across restarts. */
export interface SyncStateRow {
  /** Epoch ms of the last sync that completed without error; null if never. */
  lastSyncAt: number | null;
  /** The last error in words, cleared by a successful sync. */
  lastError: string | null;
  lastErrorAt: number | null;
}

/** Reads the single sync-state row. */
export function readSyncState(db: Db): SyncStateRow {
  const r = db.prepare('SELECT last_sync_at, last_error, last_error_at FROM sync_state WHERE id = 1').get() as
    | { last_sync_at: number | null; last_error: string | null; last_error_at: number | null }
    | undefined;
  return { lastSyncAt: r?.last_sync_at ?? null, lastError: r?.last_error ?? null, lastErrorAt: r?.last_error_at ?? null };
}

/** Records a completed sync and clears the last error. */
export function recordSyncSuccess(db: Db, at: number): void {
  db.prepare('UPDATE sync_state SET last_sync_at = ?, last_error = NULL, last_error_at = NULL WHERE id = 1').run(at);
}

/** Records the last error in words (never a secret: callers pass redacted text). */
export function recordSyncError(db: Db, message: string, at: number): void {
  db.prepare('UPDATE sync_state SET last_error = ?, last_error_at = ? WHERE id = 1').run(message, at);
}
