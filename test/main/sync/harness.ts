import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../../main/store/database';
import type { VerifyBundle } from '../../../main/sync/bundle-download';
import { SyncConnector, type SyncConnectorDeps } from '../../../main/sync/connector';
import { seededRng, VirtualClock } from './fakes';
import { TestCloud, type FaultPlan } from './server';

export const TOKEN = 'tok_live_4f9a1c2e8b7d6a5f';

/** A temp data folder, a database, a test cloud and a connector wired to them. */
export interface Harness {
  dir: string;
  db: Db;
  cloud: TestCloud;
  clock: VirtualClock;
  connector: SyncConnector;
  verified: string[];
  close(): Promise<void>;
}

export async function makeHarness(
  opts: {
    seed?: number;
    faults?: Partial<FaultPlan>;
    bundles?: Map<string, Uint8Array>;
    verifyBundle?: VerifyBundle;
    connector?: Partial<SyncConnectorDeps>;
    record?: boolean;
  } = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'siteflash-sync-'));
  const db = openDatabase({ dataDir: dir }).db;
  const cloud = new TestCloud({ token: TOKEN, rng: seededRng(opts.seed ?? 1), faults: opts.faults ?? {}, bundles: opts.bundles ?? new Map(), record: opts.record ?? true });
  const baseUrl = await cloud.start();
  const clock = new VirtualClock();
  const verified: string[] = [];
  const connector = new SyncConnector({
    db,
    baseUrl,
    fetch,
    token: async () => TOKEN,
    clock,
    rng: seededRng((opts.seed ?? 1) + 1000),
    verifyBundle:
      opts.verifyBundle ??
      (async (path) => {
        verified.push(path);
        return { ok: true };
      }),
    bundleDir: join(dir, 'bundles'),
    timeouts: { probeMs: 1_000, requestMs: 2_000 },
    ...opts.connector,
  });
  return {
    dir,
    db,
    cloud,
    clock,
    connector,
    verified,
    async close() {
      await cloud.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
