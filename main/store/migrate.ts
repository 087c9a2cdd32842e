import { SiteflashError } from '../errors';
import type { Db } from './db-type';
import type { Migration } from './migrations/migration';

/** What {@link migrate} did. */
export interface MigrateReport {
  /** `user_version` before. */
  from: number;
  /** `user_version` after. */
  to: number;
  /** Names of the steps applied now, in order. */
  applied: string[];
}

/**
 * Brings the database to the newest version in `migrations`, applying every pending step in ONE
 * transaction: a failure leaves the database exactly as it was. A database whose `user_version`
 * is newer than the code is refused (`database-too-new`): an older siteflash must not write to a
 * schema it does not know.
 */
export function migrate(db: Db, migrations: readonly Migration[]): MigrateReport {
  checkList(migrations);
  const latest = migrations.length;
  const from = db.pragma('user_version', { simple: true }) as number;
  if (from > latest) {
    throw new SiteflashError(
      'database-too-new',
      `This database was written by a newer siteflash (schema ${from}, this version knows up to ${latest}). ` +
        'Update siteflash on this laptop; the database was left untouched.',
      true,
      { schemaVersion: from, supported: latest },
    );
  }
  const pending = migrations.slice(from);
  if (pending.length === 0) return { from, to: from, applied: [] };
  db.transaction(() => {
    for (const step of pending) {
      step.up(db);
      // PRAGMA takes no bound parameters; the version is a checked integer.
      db.pragma(`user_version = ${step.version}`);
    }
  }).immediate();
  return { from, to: latest, applied: pending.map((m) => m.name) };
}

function checkList(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1 || !Number.isInteger(m.version)) {
      throw new SiteflashError(
        'migration-list-invalid',
        `Schema step "${m.name}" has version ${m.version} but is number ${i + 1} in the list.`,
        false,
      );
    }
  });
}
