/**
 * Lock files: one per data folder (the app and the browser host: one instance per folder) and one
 * per job (whoever runs a job — the app, the host or `siteflash update --resume` — holds it).
 * A lock is a file created exclusively, holding who took it. A lock left by a process that is gone
 * (same computer, pid no longer alive) is taken over; a live holder is named in the refusal.
 */
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { SiteflashError } from '../errors';

/** What a lock file says about its holder. */
export interface LockHolder {
  pid: number;
  host: string;
  /** Which program, e.g. `siteflash app`, `siteflash browser host`, `siteflash update --resume`. */
  program: string;
  /** ISO time the lock was taken. */
  since: string;
}

/** A lock this process holds. */
export interface HeldLock {
  path: string;
  holder: LockHolder;
  /** Removes the lock file (if it is still ours). Safe to call twice. */
  release(): void;
}

/** File of the data folder's single-instance lock. */
export const INSTANCE_LOCK_FILE = 'siteflash.lock';

/** Takes the data folder's single-instance lock, or throws `instance-locked` naming the holder. */
export function lockDataDir(dataDir: string, program: string): HeldLock {
  return acquireLock(join(dataDir, INSTANCE_LOCK_FILE), program, (h) =>
    new SiteflashError(
      'instance-locked',
      `siteflash is already running on the data folder ${dataDir}: ${describeHolder(h)}. Use that window, or close it first.`,
      true,
      { ...h },
    ),
  );
}

/** Takes the lock of one job, or throws `job-locked` naming the process that runs it. */
export function lockJob(dataDir: string, jobId: string, program: string): HeldLock {
  return acquireLock(join(dataDir, 'locks', `job-${jobId.replace(/[^A-Za-z0-9._-]/g, '_')}.lock`), program, (h) =>
    new SiteflashError('job-locked', `Job ${jobId} is already being run by ${describeHolder(h)}. Wait for it to end, or stop it first.`, true, { jobId, ...h }),
  );
}

/** "siteflash update --resume (pid 123 on laptop-7, since 2026-12-02T13:40:00.000Z)". */
export function describeHolder(h: LockHolder): string {
  return `${h.program} (pid ${h.pid}${h.host === hostname() ? '' : ` on ${h.host}`}, since ${h.since})`;
}

/**
 * Creates `path` exclusively with this process as holder. The content is written to a private file
 * first and hard-linked into place, so no one ever reads a half-written lock. A lock whose holder
 * is a dead process on this computer is removed and taken; otherwise `refuse(holder)` is thrown.
 */
export function acquireLock(path: string, program: string, refuse: (holder: LockHolder) => Error): HeldLock {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const holder: LockHolder = { pid: process.pid, host: hostname(), program, since: new Date().toISOString() };
  const text = JSON.stringify(holder);
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(tmp, path);
        break;
      } catch (err) {
        if ((err as { code?: string }).code !== 'EEXIST' || attempt >= 3) throw err;
      }
      const raw = readRaw(path);
      if (raw === null) continue; // released meanwhile
      const current = parseHolder(raw);
      if (current && !isStale(current)) throw refuse(current);
      // Stale, or not a lock we can read (locks are linked in whole, never torn): remove it if it
      // is still the file we judged, then try again.
      if (readRaw(path) === raw) unlinkQuietly(path);
    }
  } finally {
    unlinkQuietly(tmp);
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    heldLocks.delete(release);
    if (readRaw(path) === text) unlinkQuietly(path);
  };
  if (!exitHookSet) {
    exitHookSet = true;
    process.on('exit', () => [...heldLocks].forEach((r) => r()));
  }
  heldLocks.add(release);
  return { path, holder, release };
}

/** Locks this process holds: removed on a normal exit (a killed process leaves stale ones, taken over later). */
const heldLocks = new Set<() => void>();
let exitHookSet = false;

/** The holder written in a lock file, or null if there is none or it cannot be read. */
export function readHolder(path: string): LockHolder | null {
  const raw = readRaw(path);
  return raw === null ? null : parseHolder(raw);
}

function parseHolder(raw: string): LockHolder | null {
  try {
    const h = JSON.parse(raw) as Partial<LockHolder>;
    if (typeof h.pid !== 'number' || typeof h.host !== 'string') return null;
    return { pid: h.pid, host: h.host, program: String(h.program ?? 'siteflash'), since: String(h.since ?? '?') };
  } catch {
    return null;
  }
}

/** A holder on this computer whose process no longer exists. One on another computer is never stale. */
function isStale(h: LockHolder): boolean {
  if (h.host !== hostname()) return false;
  if (h.pid === process.pid) return false;
  try {
    process.kill(h.pid, 0);
    return false;
  } catch (err) {
    return (err as { code?: string }).code === 'ESRCH';
  }
}

function readRaw(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
