import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../../main/store/database';
import type { ManualClock } from '../../../main/sim/manual-clock';

/** A fresh database in a temp folder. */
export function tempDb(): { db: Db; dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'siteflash-jobs-'));
  const { db } = openDatabase({ dataDir: dir });
  return {
    db,
    dir,
    cleanup: () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Lets pending promise callbacks and I/O callbacks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
}

/** Advances the fake clock in steps until `done()` holds; throws past `limitMs` of fake time. */
export async function runUntil(clock: ManualClock, done: () => boolean, stepMs = 5, limitMs = 120_000): Promise<void> {
  const end = clock.now() + limitMs;
  await flush();
  while (!done()) {
    if (clock.now() >= end) throw new Error(`not done after ${limitMs} ms of fake time`);
    clock.advance(stepMs);
    await flush();
  }
}
