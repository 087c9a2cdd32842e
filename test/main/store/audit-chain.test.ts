import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../../main/cli/command';
import { DATABASE_FILE } from '../../../main/store/database';
import { backupDatabase, runRealJob } from './real-journal';

const root = resolve(import.meta.dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'siteflash-audit-chain-'));
const pristine = join(dir, 'pristine.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Verdict {
  intact: boolean;
  chains: { chain: string; rows: number; intact: boolean; problem: { kind: string; rowId: number; message: string } | null }[];
}

/** Runs the built `siteflash audit verify --json` on a data folder, as a user would. */
function auditVerify(dataDir: string): Promise<{ code: number; verdict: Verdict; stdout: string }> {
  return new Promise((done, fail) => {
    execFile(process.execPath, [join(root, 'main', 'cli', 'bin.js'), 'audit', 'verify', '--json'], { env: { ...process.env, SITEFLASH_DATA_DIR: dataDir } }, (err, stdout) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      try {
        done({ code, verdict: JSON.parse(stdout) as Verdict, stdout });
      } catch {
        fail(new Error(`audit verify printed no JSON (exit ${code}): ${stdout} ${err?.message ?? ''}`));
      }
    });
  });
}

/** A copy of the real journal in its own data folder, with `sql` applied by the sqlite3 command. */
function tampered(name: string, sql: string): string {
  const data = join(dir, name);
  mkdirSync(data);
  execFileSync('sqlite3', [pristine, `.backup '${join(data, DATABASE_FILE)}'`]);
  if (sql) execFileSync('sqlite3', [join(data, DATABASE_FILE), sql]);
  return data;
}

function auditIds(): { id: number; result: string; device_key: string }[] {
  const db = new Database(pristine, { readonly: true });
  try {
    return db.prepare('SELECT id, result, device_key FROM audit_log ORDER BY id').all() as { id: number; result: string; device_key: string }[];
  } finally {
    db.close();
  }
}

describe('the hash-chained audit log, tampered with on a copy of a real journal', () => {
  beforeAll(async () => {
    expect(existsSync(join(root, 'out', 'main', 'cli.js')), 'run `npm run build` before the tests').toBe(true);
    // A real job: five simulated devices (one of another board, so one audit row is a failure).
    const dataDir = join(dir, 'real');
    await runRealJob(dataDir, dir);
    backupDatabase(dataDir, pristine);
    expect(auditIds()).toHaveLength(5);
  }, 120_000);

  it('finds the untouched copy intact (exit 0)', async () => {
    const r = await auditVerify(tampered('untouched', ''));
    expect(r.code).toBe(EXIT.ok);
    expect(r.verdict.intact).toBe(true);
    expect(r.verdict.chains.map((c) => [c.chain, c.rows > 0, c.intact])).toEqual([
      ['audit', true, true],
      ['events', true, true],
    ]);
  });

  it('refuses UPDATE and DELETE on the audit log and the job events while the triggers are there', () => {
    const data = tampered('triggers', '');
    const file = join(data, DATABASE_FILE);
    for (const sql of ['UPDATE audit_log SET result = 1', 'DELETE FROM audit_log', 'UPDATE batch_events SET kind = 1', 'DELETE FROM batch_events']) {
      expect(() => execFileSync('sqlite3', [file, sql], { stdio: 'pipe' }), sql).toThrow(/append-only/);
    }
  });

  it('names the row whose result was edited after dropping the trigger (exit 1)', async () => {
    const failed = auditIds().find((r) => r.result === 'failed');
    if (!failed) throw new Error('the real job left no failed row');
    const r = await auditVerify(tampered('edited', `DROP TRIGGER audit_log_no_update; UPDATE audit_log SET result = 'done', reason = NULL WHERE id = ${failed.id};`));
    expect(r.code).toBe(EXIT.failed);
    expect(r.verdict.chains[0]?.problem).toMatchObject({ kind: 'edited', rowId: failed.id });
    expect(r.verdict.chains[0]?.problem?.message).toContain(`audit row ${failed.id}`);
  });

  it('names the row that was deleted', async () => {
    const r = await auditVerify(tampered('deleted', 'DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id = 2;'));
    expect(r.code).toBe(EXIT.failed);
    expect(r.verdict.chains[0]?.problem).toMatchObject({ kind: 'removed', rowId: 2 });
    expect(r.verdict.chains[0]?.problem?.message).toMatch(/audit row 2 was removed/);
  });

  it('names the first of two rows that were swapped', async () => {
    const cols = 'job_id, device_key, attempt, at, technician, site, device_id, board, from_version, to_version, image_sha256, link, started_at, duration_ms, led_answers, result, reason, prev_hash, row_hash';
    const sql = `DROP TRIGGER audit_log_no_delete; CREATE TEMP TABLE t AS SELECT * FROM audit_log WHERE id IN (3, 4);
      DELETE FROM audit_log WHERE id IN (3, 4); INSERT INTO audit_log (id, ${cols}) SELECT 7 - id, ${cols} FROM t;`;
    const r = await auditVerify(tampered('swapped', sql));
    expect(r.code).toBe(EXIT.failed);
    expect(r.verdict.chains[0]?.problem).toMatchObject({ kind: 'reordered', rowId: 3 });
  });

  it('names the first row cut off the end', async () => {
    const last = auditIds().at(-1)?.id ?? 0;
    const r = await auditVerify(tampered('truncated', `DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id >= ${last - 1};`));
    expect(r.code).toBe(EXIT.failed);
    expect(r.verdict.chains[0]?.problem).toMatchObject({ kind: 'truncated', rowId: last - 1 });
    expect(r.verdict.chains[0]?.problem?.message).toContain(`the chain head kept with the sync state is audit row ${last}`);
  });

  it('finds an edited job event too, and says so in words without --json', async () => {
    const data = tampered('event-edited', "DROP TRIGGER batch_events_no_update; UPDATE batch_events SET to_state = 'done' WHERE id = 5;");
    const r = await auditVerify(data);
    expect(r.code).toBe(EXIT.failed);
    expect(r.verdict.chains[0]?.intact).toBe(true);
    expect(r.verdict.chains[1]?.problem).toMatchObject({ kind: 'edited', rowId: 5 });
    const plain = await new Promise<{ code: number; stdout: string }>((done) =>
      execFile(process.execPath, [join(root, 'main', 'cli', 'bin.js'), 'audit', 'verify'], { env: { ...process.env, SITEFLASH_DATA_DIR: data } }, (err, stdout) =>
        done({ code: err && typeof err.code === 'number' ? err.code : 0, stdout }),
      ),
    );
    expect(plain.code).toBe(EXIT.failed);
    expect(plain.stdout).toMatch(/job events: BROKEN — job event 5 .* was edited/);
  });
});
