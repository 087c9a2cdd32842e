import type { Db } from './db-type';

/** Where a release bundle download stands; survives restarts so a cut download resumes. */
export interface BundleDownloadRow {
  bundleId: string;
  /** The partial file bytes are appended to; its size is the resume offset. */
  partialPath: string;
  /** Expected SHA-256 (lower-case hex) from the catalog. */
  sha256: string;
  totalSize: number | null;
  /** The server's ETag for the bytes in the partial file; a resume sends it in If-Range. */
  etag: string | null;
  received: number;
  state: 'partial' | 'complete' | 'failed';
  error: string | null;
  updatedAt: number;
}

/** Reads the download row of a bundle, if any. */
export function readBundleDownload(db: Db, bundleId: string): BundleDownloadRow | null {
  const r = db
    .prepare(
      `SELECT bundle_id AS bundleId, partial_path AS partialPath, sha256, total_size AS totalSize, etag, received,
              state, error, updated_at AS updatedAt FROM bundle_downloads WHERE bundle_id = ?`,
    )
    .get(bundleId) as BundleDownloadRow | undefined;
  return r ?? null;
}

/** Inserts or replaces the download row of a bundle. */
export function writeBundleDownload(db: Db, row: BundleDownloadRow): void {
  db.prepare(
    `INSERT INTO bundle_downloads (bundle_id, partial_path, sha256, total_size, etag, received, state, error, updated_at)
     VALUES (@bundleId, @partialPath, @sha256, @totalSize, @etag, @received, @state, @error, @updatedAt)
     ON CONFLICT (bundle_id) DO UPDATE SET partial_path = excluded.partial_path, sha256 = excluded.sha256,
       total_size = excluded.total_size, etag = excluded.etag, received = excluded.received, state = excluded.state,
       error = excluded.error, updated_at = excluded.updated_at`,
  ).run(row);
}
