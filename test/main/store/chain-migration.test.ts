import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GENESIS, recordedHead, rowHash } from '../../../main/store/audit-chain';
import { verifyChains } from '../../../main/store/chain-verify';
import { openDatabase } from '../../../main/store/database';
import { JobJournal } from '../../../main/store/journal';
import { MIGRATIONS } from '../../../main/store/migrations/index';
import { fakeImage, specFor } from '../jobs/fake-driver';
import { makeHarness, type Harness } from '../sync/harness';
import { openApiChecker } from '../sync/openapi-validator';

const dirs: string[] = [];
let h: Harness | null = null;
afterEach(async () => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  await h?.close();
  h = null;
});

const KEY = 'serial:/dev/ttyACM0';
const spec = specFor([{ link: { kind: 'serial', path: '/dev/ttyACM0' } }], fakeImage().component);

/** One job whose device fails: job-created, a state change, and one audit row. */
function oneJob(j: JobJournal, id: string): void {
  j.createJob(id, spec, [{ key: KEY, link: KEY }]);
  j.transition(id, KEY, 'failed', { reason: 'out of range', reasonKind: 'timeout' });
}

describe('the audit-chain migration (3)', () => {
  it('chains the rows a version-2 database already holds, in id order, and keeps the heads with the sync state', () => {
    const dir = mkdtempSync(join(tmpdir(), 'siteflash-chain-'));
    dirs.push(dir);
    const old = openDatabase({ dataDir: dir, migrations: MIGRATIONS.slice(0, 2) }).db;
    // The version-2 journal wrote no hashes; its INSERT has no chain columns.
    old.prepare("INSERT INTO batch_jobs (id, created_at, updated_at, state, technician, spec) VALUES ('old', 1, 1, 'finished', 'Ada', '{}')").run();
    old.prepare("INSERT INTO batch_events (job_id, seq, at, kind) VALUES ('old', 1, 5, 'job-created'), ('old', 2, 6, 'job-state')").run();
    old.prepare(
      "INSERT INTO audit_log (job_id, device_key, attempt, at, technician, link, started_at, duration_ms, led_answers, result) VALUES ('old', 'k', 1, 7, 'Ada', 'k', 1, 6, '[]', 'done')",
    ).run();
    old.close();

    const { db, migration } = openDatabase({ dataDir: dir });
    expect(migration.applied).toEqual(MIGRATIONS.slice(2).map((m) => m.name));
    const audit = db.prepare('SELECT * FROM audit_log').get() as Record<string, unknown>;
    expect(audit.prev_hash).toBe(GENESIS);
    expect(audit.row_hash).toBe(rowHash('audit', GENESIS, audit));
    expect(recordedHead(db, 'audit')).toEqual({ id: 1, hash: audit.row_hash });
    expect(recordedHead(db, 'events')?.id).toBe(2);
    // New rows continue the chain the migration started.
    oneJob(new JobJournal(db, () => 2_000), 'new');
    expect(verifyChains(db).map((v) => [v.chain, v.rows, v.intact])).toEqual([
      ['audit', 2, true],
      ['events', 4, true],
    ]);
    expect(() => db.prepare('DELETE FROM batch_events').run()).toThrow(/append-only/);
    db.close();
  });
});

describe('the chain head in sync batches', () => {
  it('sends the audit chain head kept with the sync state with each batch, and each audit item with its link', async () => {
    h = await makeHarness();
    const j = new JobJournal(h.db, () => h?.clock.now() ?? 0);
    oneJob(j, 'a');
    oneJob(j, 'b');
    await h.connector.push();
    const uploads = h.cloud.exchanges.filter((ex) => ex.route === '/v1/audit-events/batch');
    expect(uploads).toHaveLength(1);
    const body = uploads[0]?.requestBody as { auditChainHead: { id: number; hash: string }; items: { payload: { chain: { id: number; prevHash: string; hash: string } } }[] };
    const head = recordedHead(h.db, 'audit');
    expect(body.auditChainHead).toEqual(head);
    const links = body.items.map((i) => i.payload.chain);
    expect(links.map((l) => l.id)).toEqual([1, 2]);
    expect(links[0]?.prevHash).toBe(GENESIS);
    expect(links[1]?.prevHash).toBe(links[0]?.hash);
    expect(links[1]?.hash).toBe(head?.hash);
    expect(h.cloud.exchanges.flatMap((ex) => openApiChecker().check(ex))).toEqual([]);
  });
});
