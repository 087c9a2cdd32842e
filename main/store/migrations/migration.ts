import type { Db } from '../db-type';

/**
 * One step of the schema. Versions are 1, 2, 3, … with no gaps; a database's
 * `PRAGMA user_version` is the version of the last step applied to it.
 */
export interface Migration {
  /** The `user_version` the database has once this step is applied. */
  readonly version: number;
  /** A short name for logs and errors, e.g. `outbox-sync-catalog`. */
  readonly name: string;
  /** Applies the step. Runs inside the transaction of {@link migrate}; must not commit or open its own. */
  up(db: Db): void;
}
