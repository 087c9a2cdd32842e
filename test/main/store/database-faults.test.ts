/**
 * A damaged, emptied or unwritable database is named with its path and what to do, and is never
 * overwritten; what siteflash creates is readable by the technician's account only.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/store/database';
import { SiteflashError } from '../../../main/errors';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'siteflash-dbfault-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

function openError(dataDir: string): SiteflashError {
  try {
    openDatabase({ dataDir }).db.close();
  } catch (err) {
    expect(err).toBeInstanceOf(SiteflashError);
    return err as SiteflashError;
  }
  throw new Error('openDatabase did not refuse');
}

describe('openDatabase with a damaged or missing journal', () => {
  it('refuses a 0-byte database, naming it, and leaves it 0 bytes (no fresh empty journal)', () => {
    const path = join(dir, 'siteflash.db');
    writeFileSync(path, '');
    const err = openError(dir);
    expect(err.kind).toBe('database-empty');
    expect(err.message).toContain(path);
    expect(err.message).toMatch(/Restore it from a backup/);
    expect(statSync(path).size).toBe(0);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('refuses a file that is not a SQLite database, naming it, and leaves its bytes as they were', () => {
    const path = join(dir, 'siteflash.db');
    writeFileSync(path, Buffer.alloc(8192, 0x5a));
    const before = sha(path);
    const err = openError(dir);
    expect(err.kind).toBe('database-corrupt');
    expect(err.message).toContain(path);
    expect(err.message).toMatch(/damaged.*restore it from a backup/i);
    expect(err.message).not.toMatch(/^\s+at /m);
    expect(sha(path)).toBe(before);
  });

  it('refuses a database whose first page is damaged, leaving it as it was', () => {
    openDatabase({ dataDir: dir }).db.close();
    const path = join(dir, 'siteflash.db');
    const bytes = readFileSync(path);
    bytes.fill(0xff, 16, 100); // page size, versions, counts: the header SQLite checks first
    writeFileSync(path, bytes);
    const before = sha(path);
    const err = openError(dir);
    expect(err.kind).toBe('database-corrupt');
    expect(err.message).toContain(path);
    expect(sha(path)).toBe(before);
  });
});

describe('file modes', () => {
  it('creates the data folder 0700 and the database, -wal and -shm 0600', () => {
    const dataDir = join(dir, 'fresh');
    const { db, path } = openDatabase({ dataDir });
    try {
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      for (const f of [path, `${path}-wal`, `${path}-shm`]) expect({ f, mode: statSync(f).mode & 0o777 }).toEqual({ f, mode: 0o600 });
    } finally {
      db.close();
    }
  });

  it('narrows a data folder and database an older siteflash left world-readable', () => {
    const dataDir = join(dir, 'old');
    openDatabase({ dataDir }).db.close();
    execFileSync('chmod', ['0755', dataDir]);
    execFileSync('chmod', ['0644', join(dataDir, 'siteflash.db')]);
    openDatabase({ dataDir }).db.close();
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataDir, 'siteflash.db')).mode & 0o777).toBe(0o600);
  });
});

describe('a read-only data folder', () => {
  // Root ignores permission bits, so a read-only file system it is: a tmpfs remounted read-only.
  let mnt = '';
  let mountError: string | null = null;
  beforeEach(() => {
    mnt = join(dir, 'mnt');
    mkdirSync(mnt);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt], { stdio: 'pipe' });
    } catch (err) {
      mountError = err instanceof Error ? err.message : String(err);
    }
  });
  afterEach(() => {
    if (!mountError) execFileSync('umount', ['-l', mnt]);
  });

  it('names the folder and says to make it writable, for an existing journal and for a new one', (ctx) => {
    if (mountError) ctx.skip(`cannot mount a tmpfs here (${mountError})`);
    const existing = join(mnt, 'existing');
    openDatabase({ dataDir: existing }).db.close();
    const before = sha(join(existing, 'siteflash.db'));
    execFileSync('mount', ['-o', 'remount,ro', mnt]);

    const err = openError(existing);
    expect(err.kind).toBe('data-folder-read-only');
    expect(err.message).toContain(existing);
    expect(err.message).toMatch(/make the folder writable, or set SITEFLASH_DATA_DIR/);
    expect(sha(join(existing, 'siteflash.db'))).toBe(before);

    const fresh = join(mnt, 'fresh', 'siteflash');
    const err2 = openError(fresh);
    expect(err2.kind).toBe('data-folder-read-only');
    expect(err2.message).toContain(fresh);
    expect(err2.message).not.toMatch(/ENOENT|mkdir/);
  });
});
