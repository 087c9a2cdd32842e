// Outbox drain rate to the local test cloud, against the same batches sent with plain fetch and no
// sync logic (no SQLite reads/deletes, no ack parsing, no status). Run: npx tsx test/bench/sync.bench.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../main/store/database';
import { systemClock } from '../../main/sync/clock';
import { SyncConnector } from '../../main/sync/connector';
import { seededRng } from '../main/sync/fakes';
import { TestCloud } from '../main/sync/server';

const ROWS = Number(process.env.BENCH_ROWS ?? 20_000);
const BATCH = 200;
const TOKEN = 'bench-token-123456';

const items = (n: number, tag: string): { kind: 'result'; payload: unknown; idempotencyKey: string }[] =>
  Array.from({ length: n }, (_, i) => ({
    kind: 'result',
    payload: { device: `d-${i % 50}`, job: `j-${tag}`, outcome: 'done', version: '2.0.0', seq: i },
    idempotencyKey: `${tag}-${i}`,
  }));

async function withCloud<T>(fn: (cloud: TestCloud) => Promise<T>): Promise<T> {
  const cloud = new TestCloud({ token: TOKEN, rng: seededRng(1), record: false });
  await cloud.start();
  try {
    return await fn(cloud);
  } finally {
    await cloud.close();
  }
}

/** Rows per second draining the outbox with the connector; `sync` is the SQLite synchronous mode. */
async function drainRate(n: number, tag: string, sync: 'FULL' | 'NORMAL'): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'siteflash-bench-'));
  const { db } = openDatabase({ dataDir: dir });
  db.pragma(`synchronous = ${sync}`);
  try {
    return await withCloud(async (cloud) => {
      const connector = new SyncConnector({
        db,
        baseUrl: cloud.url,
        fetch,
        token: async () => TOKEN,
        clock: systemClock,
        rng: Math.random,
        verifyBundle: async () => ({ ok: true }),
        bundleDir: join(dir, 'bundles'),
        push: { batchSize: BATCH },
      });
      connector.outbox.enqueueMany(items(n, tag), Date.now());
      const t0 = performance.now();
      const report = await connector.push();
      const s = (performance.now() - t0) / 1000;
      if (report.waiting !== 0 || cloud.committed.size !== n) throw new Error(`drain incomplete: ${report.waiting} left`);
      return n / s;
    });
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Rows per second sending the same batch bodies with plain fetch, one after another. */
async function plainRate(n: number, tag: string): Promise<number> {
  const all = items(n, tag);
  const bodies: string[] = [];
  for (let i = 0; i < all.length; i += BATCH) {
    bodies.push(JSON.stringify({ items: all.slice(i, i + BATCH).map((it) => ({ idempotencyKey: it.idempotencyKey, payload: it.payload })) }));
  }
  return withCloud(async (cloud) => {
    const t0 = performance.now();
    for (const body of bodies) {
      const res = await fetch(`${cloud.url}/v1/results/batch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body,
      });
      await res.arrayBuffer();
    }
    const s = (performance.now() - t0) / 1000;
    if (cloud.committed.size !== n) throw new Error('plain run incomplete');
    return n / s;
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
await drainRate(2_000, 'warm', 'FULL');
await plainRate(2_000, 'warm');
// Interleaved rounds, median of each: neither side gets all the warm (or all the cold) runs.
const runs = { plain: [] as number[], full: [] as number[], normal: [] as number[] };
for (let round = 0; round < 3; round++) {
  runs.plain.push(await plainRate(ROWS, `plain${round}`));
  runs.full.push(await drainRate(ROWS, `full${round}`, 'FULL'));
  runs.normal.push(await drainRate(ROWS, `normal${round}`, 'NORMAL'));
}
console.log(JSON.stringify(runs, (_k, v: unknown) => (typeof v === "number" ? Math.round(v) : v)));
const [plain, full, normal] = [median(runs.plain), median(runs.full), median(runs.normal)];
const f = (x: number): string => Math.round(x).toLocaleString('en-US');
console.log(`sync bench: ${ROWS} rows, batches of ${BATCH}, local test cloud on 127.0.0.1, db in ${tmpdir()}, median of 3`);
console.log(`  plain fetch of the same batches (baseline)   ${f(plain)} rows/s   1.00`);
console.log(`  outbox drain, synchronous=FULL (shipped)     ${f(full)} rows/s   ${(full / plain).toFixed(2)} of baseline`);
console.log(`  outbox drain, synchronous=NORMAL (reference) ${f(normal)} rows/s   ${(normal / plain).toFixed(2)} of baseline`);
