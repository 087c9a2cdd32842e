import type { Db } from './db-type';

/** The last sync as remembered across restarts. */
export interface SyncStateRow {
  /** Epoch ms of the last sync that completed without error; null if never. */
  lastSyncAt: number | null;
  /** The last error in words, cleared by a successful sync. */
  lastError: string | null;
  lastErrorAt: number | null;
  /** Laptop time minus the cloud's, from the last health probe that carried the server's time; null if never. */
  cloudOffsetMs: number | null;
  /** Epoch ms (laptop clock) of that probe. */
  cloudOffsetAt: number | null;
}

/** Reads the single sync-state row. */
export function readSyncState(db: Db): SyncStateRow {
  const r = db.prepare('SELECT last_sync_at, last_error, last_error_at, cloud_offset_ms, cloud_offset_at FROM sync_state WHERE id = 1').get() as
    | { last_sync_at: number | null; last_error: string | null; last_error_at: number | null; cloud_offset_ms: number | null; cloud_offset_at: number | null }
    | undefined;
  return {
    lastSyncAt: r?.last_sync_at ?? null,
    lastError: r?.last_error ?? null,
    lastErrorAt: r?.last_error_at ?? null,
    cloudOffsetMs: r?.cloud_offset_ms ?? null,
    cloudOffsetAt: r?.cloud_offset_at ?? null,
  };
}

/** Records the laptop's clock minus the cloud's, measured at `at`. */
export function recordCloudOffset(db: Db, offsetMs: number, at: number): void {
  db.prepare('UPDATE sync_state SET cloud_offset_ms = ?, cloud_offset_at = ? WHERE id = 1').run(Math.round(offsetMs), at);
}

/** Records a completed sync and clears the last error. */
export function recordSyncSuccess(db: Db, at: number): void {
  db.prepare('UPDATE sync_state SET last_sync_at = ?, last_error = NULL, last_error_at = NULL WHERE id = 1').run(at);
}

/** Records the last error in words (never a secret: callers pass redacted text). */
export function recordSyncError(db: Db, message: string, at: number): void {
  db.prepare('UPDATE sync_state SET last_error = ?, last_error_at = ? WHERE id = 1').run(message, at);
}
