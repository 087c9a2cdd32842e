import { SiteflashError } from '../errors';

/** What went wrong with the disk under the database, as the technician can act on it. */
export type StorageFaultKind = 'storage-full' | 'storage-read-only' | 'storage-corrupt' | 'storage-io';

/**
 * A write (or read) of the journal, audit log or outbox that the disk refused. It is not a fault of
 * the device or of the job: what was committed before it is still in the database, and the job can
 * go on from there once the cause is fixed. The message names the database and what to do.
 */
export class StorageFault extends SiteflashError {
  constructor(
    override readonly kind: StorageFaultKind,
    message: string,
    readonly path: string,
    readonly code: string,
  ) {
    super(kind, message, true, { path, code });
  }
}

/** The SQLite result codes (extended codes start with these) and what each means here. */
const KINDS: readonly [prefix: string, kind: StorageFaultKind][] = [
  ['SQLITE_FULL', 'storage-full'],
  ['SQLITE_READONLY', 'storage-read-only'],
  ['SQLITE_CORRUPT', 'storage-corrupt'],
  ['SQLITE_NOTADB', 'storage-corrupt'],
  ['SQLITE_IOERR', 'storage-io'],
  ['SQLITE_CANTOPEN', 'storage-io'],
  ['SQLITE_PERM', 'storage-read-only'],
];

/**
 * The {@link StorageFault} an error from the database at `path` stands for, or null when it is
 * not a storage fault (a constraint, a bug). An existing StorageFault is returned as it is.
 * ENOSPC/EROFS/EIO from Node's file system calls count too.
 */
export function storageFaultOf(err: unknown, path: string): StorageFault | null {
  if (err instanceof StorageFault) return err;
  const code = err && typeof err === 'object' && 'code' in err ? String((err as { code: unknown }).code) : '';
  const kind = KINDS.find(([prefix]) => code.startsWith(prefix))?.[1] ?? nodeKind(code);
  if (!kind) return null;
  return new StorageFault(kind, messageFor(kind, path, err instanceof Error ? err.message : String(err)), path, code);
}

/** True for an error {@link storageFaultOf} turns into a StorageFault. */
export function isStorageFault(err: unknown): boolean {
  return err instanceof StorageFault || storageFaultOf(err, '') !== null;
}

function nodeKind(code: string): StorageFaultKind | null {
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'storage-full';
  if (code === 'EROFS') return 'storage-read-only';
  if (code === 'EIO') return 'storage-io';
  return null;
}

function messageFor(kind: StorageFaultKind, path: string, detail: string): string {
  switch (kind) {
    case 'storage-full':
      return `Disk full: siteflash could not write to ${path}. Free some space on that disk, then resume the job; everything recorded before this is kept.`;
    case 'storage-read-only':
      return `The disk holding ${path} became read-only: siteflash could not write to it. Make it writable again (or restart the laptop), then resume the job; everything recorded before this is kept.`;
    case 'storage-corrupt':
      return `The siteflash database ${path} is damaged (${detail}). Stop, copy the file somewhere safe, and restore it from a backup; siteflash will not write to it further.`;
    case 'storage-io':
      return `The disk failed while siteflash wrote to ${path} (${detail}). Check the disk, then resume the job; everything recorded before this is kept.`;
  }
}

/** Like {@link storageFaultOf}, for errors of the database only (SQLite codes): a full disk met by a bundle write is not the journal's. */
export function databaseFaultOf(err: unknown, path: string): StorageFault | null {
  if (err instanceof StorageFault) return err;
  const code = err && typeof err === 'object' && 'code' in err ? String((err as { code: unknown }).code) : '';
  return code.startsWith('SQLITE_') ? storageFaultOf(err, path) : null;
}
