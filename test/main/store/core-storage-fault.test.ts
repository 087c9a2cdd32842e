/**
 * Outside jobs too, a database write the disk refuses reaches the technician as what it is (disk
 * full, naming the database), not as an internal error, and the core keeps answering. The data
 * folder sits on a 1 MiB tmpfs (skipped, saying why, where it cannot be mounted).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../../main/core';

const dir = mkdtempSync(join(tmpdir(), 'siteflash-corefull-'));
const mnt = join(dir, 'mnt');
let mountError: string | null = null;
let core: Core | undefined;

beforeAll(() => {
  mkdirSync(mnt);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt], { stdio: 'pipe' });
  } catch (err) {
    mountError = err instanceof Error ? err.message : String(err);
  }
});
afterAll(async () => {
  await core?.close();
  if (!mountError) execFileSync('umount', ['-l', mnt]);
  rmSync(dir, { recursive: true, force: true });
});

describe('the core on a full disk', () => {
  it('answers a sync that cannot record its outcome with storage-full naming the database, and keeps answering', { timeout: 60_000 }, async (ctx) => {
    if (mountError) ctx.skip(`cannot mount a tmpfs here (${mountError})`);
    const dataDir = join(mnt, 'data');
    core = new Core({ dataDir, host: 'cli', logToFile: false, portLister: async () => [], deviceSources: {} });
    // A cloud that cannot be reached: the sync then records its error in the database.
    expect((await core.invoke('settings:set', { cloudUrl: 'http://127.0.0.1:9' })).ok).toBe(true);
    const fd = openSync(join(mnt, 'filler'), 'w');
    try {
      for (;;) writeSync(fd, Buffer.alloc(16 * 1024, 1));
    } catch (err) {
      if ((err as { code?: string }).code !== 'ENOSPC') throw err;
    } finally {
      closeSync(fd);
    }
    // The sync's error row needs new pages: let a few attempts fill what little is left.
    let r = await core.invoke('sync:now', {});
    for (let i = 0; i < 20 && r.ok; i++) r = await core.invoke('sync:now', {});
    expect(r).toMatchObject({ ok: false, error: { kind: 'storage-full', userFault: true } });
    expect(!r.ok && r.error.message).toContain(join(dataDir, 'siteflash.db'));
    expect((await core.invoke('job:list', {})).ok).toBe(true);
  });
});
