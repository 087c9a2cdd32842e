import { chmodSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SiteflashError } from '../errors';
import { prepareDataDir } from '../paths';
import type { Db } from './db-type';
import { migrate, type MigrateReport } from './migrate';
import { MIGRATIONS, type Migration } from './migrations/index';
import { storageFaultOf } from './storage-fault';

export type { Db } from './db-type';

/** File name of the database inside the app's data folder. */
export const DATABASE_FILE = 'siteflash.db';

/** Where and how to open the database. */
export interface OpenDatabaseOptions {
  /** The app's data folder; the database is `<dataDir>/siteflash.db`. */
  dataDir: string;
  /** Schema steps; the app's own list unless a test passes another. */
  migrations?: readonly Migration[];
}

/** An open database and what opening it did to the schema. */
export interface OpenedDatabase {
  db: Db;
  path: string;
  migration: MigrateReport;
}

/**
 * Opens (creating if needed) `<dataDir>/siteflash.db` and brings its schema up to date.
 *
 * - WAL journal: readers (the UI's queries) never block the writer (job events, outbox).
 * - `synchronous = FULL`: with WAL, NORMAL may lose the last commits on a power cut. Results and
 *   audit events are the only record of what was done to a customer's devices, and laptops in the
 *   field die on battery, so each commit is fsynced; at our write rates (a few commits a second)
 *   the cost does not matter.
 * - Foreign keys on; a busy timeout so a second connection waits instead of failing.
 *
 * Throws `database-too-new` if the file comes from a newer siteflash, `database-empty` for a 0-byte
 * file, `database-corrupt` for a file that is not a readable SQLite database (neither is ever
 * overwritten), `data-folder-read-only` / a {@link StorageFault} when the disk refuses, and
 * `database-unavailable` if it cannot be opened otherwise. The connection is closed on any failure.
 * The database and its -wal/-shm files are made 0600.
 */
export function openDatabase(options: OpenDatabaseOptions): OpenedDatabase {
  const path = join(options.dataDir, DATABASE_FILE);
  prepareDataDir(options.dataDir);
  refuseEmptyFile(path);
  let db: Db;
  try {
    db = new Database(path);
  } catch (err) {
    throw openFailure(path, err);
  }
  try {
    // Before WAL mode creates -wal and -shm: SQLite gives them the database file's mode.
    chmodSync(path, DB_FILE_MODE);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const migration = migrate(db, options.migrations ?? MIGRATIONS);
    for (const extra of ['-wal', '-shm']) if (existsSync(path + extra)) chmodSync(path + extra, DB_FILE_MODE);
    return { db, path, migration };
  } catch (err) {
    db.close();
    throw openFailure(path, err);
  }
}

/** Mode of the database and its -wal/-shm files. */
export const DB_FILE_MODE = 0o600;

/**
 * SQLite takes a 0-byte file for a new, empty database and would write a fresh schema over it:
 * the journal of every job and the results waiting for upload would be gone without a word. A
 * 0-byte database is a truncated one (a failed copy, a disk fault), so it is refused and left as is.
 */
function refuseEmptyFile(path: string): void {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return; // no file yet: a new database is created
  }
  if (size > 0) return;
  throw new SiteflashError(
    'database-empty',
    `The siteflash database ${path} is empty (0 bytes): it was truncated, e.g. by a failed copy or a disk fault. ` +
      'siteflash left it untouched. Restore it from a backup; or, to start a new journal without the old jobs and unsent results, move the file aside.',
    true,
    { path },
  );
}

function openFailure(path: string, err: unknown): Error {
  if (err instanceof SiteflashError) return err;
  const fault = storageFaultOf(err, path);
  if (fault?.kind === 'storage-corrupt') {
    return new SiteflashError(
      'database-corrupt',
      `The siteflash database ${path} is damaged and cannot be read (${fault.code}). siteflash left it untouched. ` +
        'Copy it somewhere safe and restore it from a backup; or, to start a new journal without the old jobs and unsent results, move the file aside.',
      true,
      { path, code: fault.code },
    );
  }
  if (fault) return fault;
  return new SiteflashError(
    'database-unavailable',
    `Cannot open the siteflash database at ${path}: ${err instanceof Error ? err.message : String(err)}. ` +
      'Check that the data folder exists and is writable.',
    true,
    { path },
  );
}
