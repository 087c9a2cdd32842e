import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SiteflashError } from '../errors';
import type { Db } from './db-type';
import { migrate, type MigrateReport } from './migrate';
import { MIGRATIONS, type Migration } from './migrations/index';

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
 * Throws `database-too-new` if the file comes from a newer siteflash, `database-unavailable` if it
 * cannot be opened at all. The connection is closed again on any failure.
 */
export function openDatabase(options: OpenDatabaseOptions): OpenedDatabase {
  const path = join(options.dataDir, DATABASE_FILE);
  let db: Db;
  try {
    mkdirSync(options.dataDir, { recursive: true });
    db = new Database(path);
  } catch (err) {
    throw new SiteflashError(
      'database-unavailable',
      `Cannot open the siteflash database at ${path}: ${err instanceof Error ? err.message : String(err)}. ` +
        'Check that the data folder exists and is writable.',
    );
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const migration = migrate(db, options.migrations ?? MIGRATIONS);
    return { db, path, migration };
  } catch (err) {
    db.close();
    throw err;
  }
}
