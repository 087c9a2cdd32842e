import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/store/database';
import { MIGRATIONS, type Migration } from '../../../main/store/migrations/index';
import { SiteflashError } from '../../../main/errors';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'siteflash-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const tables = (db: Database.Database): string[] =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);

describe('openDatabase', () => {
  it('creates <dataDir>/siteflash.db with every migration applied, in WAL mode with FULL sync and foreign keys', () => {
    const { db, path, migration } = openDatabase({ dataDir: join(dir, 'nested') });
    expect(path).toBe(join(dir, 'nested', 'siteflash.db'));
    expect(migration).toEqual({ from: 0, to: MIGRATIONS.length, applied: MIGRATIONS.map((m) => m.name) });
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(tables(db)).toEqual(
      expect.arrayContaining(['outbox', 'sync_state', 'catalog_projects', 'catalog_sites', 'catalog_devices', 'catalog_system_versions', 'bundle_downloads']),
    );
    db.close();
  });

  it('does nothing when reopened at the current version', () => {
    openDatabase({ dataDir: dir }).db.close();
    const { db, migration } = openDatabase({ dataDir: dir });
    expect(migration.applied).toEqual([]);
    expect(migration.from).toBe(MIGRATIONS.length);
    db.close();
  });

  it('refuses a database written by a newer siteflash and leaves it untouched', () => {
    const raw = new Database(join(dir, 'siteflash.db'));
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    raw.exec('CREATE TABLE future_thing (x)');
    raw.close();
    let caught: unknown;
    try {
      openDatabase({ dataDir: dir });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SiteflashError);
    expect((caught as SiteflashError).kind).toBe('database-too-new');
    expect((caught as SiteflashError).message).toMatch(/newer siteflash/);
    const after = new Database(join(dir, 'siteflash.db'));
    expect(after.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 1);
    expect(tables(after)).toEqual(['future_thing']);
    after.close();
  });

  it('applies only the steps a database is missing, so a later migration upgrades an existing file', () => {
    openDatabase({ dataDir: dir, migrations: MIGRATIONS }).db.close();
    const next: Migration = { version: MIGRATIONS.length + 1, name: 'jobs', up: (db) => db.exec('CREATE TABLE jobs (id INTEGER PRIMARY KEY)') };
    const { db, migration } = openDatabase({ dataDir: dir, migrations: [...MIGRATIONS, next] });
    expect(migration).toEqual({ from: MIGRATIONS.length, to: MIGRATIONS.length + 1, applied: ['jobs'] });
    expect(tables(db)).toContain('jobs');
    db.close();
  });

  it('rolls back every pending step when one fails, leaving the version unchanged', () => {
    const bad: Migration = { version: MIGRATIONS.length + 1, name: 'broken', up: (db) => db.exec('CREATE TABLE half (x); SELECT * FROM no_such_table') };
    expect(() => openDatabase({ dataDir: dir, migrations: [...MIGRATIONS, bad] })).toThrow(/no_such_table/);
    const raw = new Database(join(dir, 'siteflash.db'));
    expect(raw.pragma('user_version', { simple: true })).toBe(0);
    expect(tables(raw)).toEqual([]);
    raw.close();
  });

  it('rejects a migration list with a gap in its versions', () => {
    const skipped = MIGRATIONS.length + 2;
    const gap: Migration = { version: skipped, name: 'gap', up: () => undefined };
    expect(() => openDatabase({ dataDir: dir, migrations: [...MIGRATIONS, gap] })).toThrow(new RegExp(`version ${skipped}`));
  });
});
