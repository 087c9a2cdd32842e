import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/store/database';
import { JobJournal } from '../../../main/store/journal';
import { MIGRATIONS } from '../../../main/store/migrations/index';
import { Outbox } from '../../../main/store/outbox';
import { fakeImage, specFor } from './fake-driver';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fresh(migrations = MIGRATIONS) {
  const dir = mkdtempSync(join(tmpdir(), 'siteflash-journal-'));
  dirs.push(dir);
  return { dir, ...openDatabase({ dataDir: dir, migrations }) };
}

const spec = specFor([{ link: { kind: 'serial', path: '/dev/ttyACM0' } }], fakeImage().component);
const KEY = 'serial:/dev/ttyACM0';

describe('job journal and audit log (migration 2)', () => {
  it('upgrades a version-1 database, keeping its outbox rows', () => {
    const { dir, db } = fresh(MIGRATIONS.slice(0, 1));
    new Outbox(db).enqueue('result', { x: 1 }, 'k1', 1);
    db.close();
    const again = openDatabase({ dataDir: dir });
    expect(again.migration).toEqual({ from: 1, to: MIGRATIONS.length, applied: MIGRATIONS.slice(1).map((m) => m.name) });
    expect(again.migration.applied[0]).toBe('jobs-audit');
    expect(new Outbox(again.db).count()).toBe(1);
    expect(new JobJournal(again.db).jobs()).toEqual([]);
    again.db.close();
  });

  it('numbers events per job without gaps and refuses a duplicate sequence number', () => {
    const { db } = fresh();
    const j = new JobJournal(db, () => 1000);
    j.createJob('j1', spec, [{ key: KEY, link: KEY }]);
    j.createJob('j2', spec, [{ key: KEY, link: KEY }]);
    j.transition('j1', KEY, 'in-update-mode');
    j.record('j1', KEY, 'retry', { n: 1 }, { retries: 1 });
    expect(j.events('j1').map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(j.events('j2').map((e) => e.seq)).toEqual([1]);
    expect(() => db.prepare("INSERT INTO batch_events (job_id, seq, at, kind) VALUES ('j1', 2, 0, 'x')").run()).toThrow(/UNIQUE/);
    expect(() => db.prepare("UPDATE batch_events SET kind = 'y' WHERE job_id = 'j1'").run()).toThrow(/append-only/);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('rejects an illegal transition without writing anything', () => {
    const { db } = fresh();
    const j = new JobJournal(db);
    j.createJob('j1', spec, [{ key: KEY, link: KEY }]);
    expect(() => j.transition('j1', KEY, 'installing')).toThrow(/cannot go from discovered to installing/);
    expect(j.device('j1', KEY)?.state).toBe('discovered');
    expect(j.events('j1')).toHaveLength(1);
  });

  it('writes the audit row and its outbox item in the commit that ends the device; the audit log is append-only', () => {
    const { db } = fresh();
    let now = 5000;
    const j = new JobJournal(db, () => now);
    j.createJob('j1', spec, [{ key: KEY, link: KEY }]);
    j.transition('j1', KEY, 'in-update-mode', { deviceId: '00124b0001020304', board: 'sf-board', fromVersion: '1.0.0+0' });
    j.record('j1', KEY, 'led', {}, { ledAnswers: [{ pattern: 'update-mode', seen: true, at: 5001 }] });
    j.transition('j1', KEY, 'verified', { toVersion: '1.1.0+0', imageSha256: 'cd'.repeat(32) });
    now = 9000;
    j.transition('j1', KEY, 'failed', { reason: 'The device refused.', reasonKind: 'device-refused' });
    const [row] = j.audit.history();
    expect(row).toMatchObject({
      technician: 'Ada Tech', site: 'North Plant', deviceId: '00124b0001020304', board: 'sf-board', fromVersion: '1.0.0+0', toVersion: '1.1.0+0',
      imageSha256: 'cd'.repeat(32), link: KEY, durationMs: 4000, result: 'failed', reason: 'The device refused.', attempt: 1,
    });
    expect(row?.ledAnswers).toEqual([{ pattern: 'update-mode', seen: true, at: 5001 }]);
    const due = new Outbox(db).due(Number.MAX_SAFE_INTEGER, 10);
    expect(due.map((d) => d.idempotencyKey)).toEqual([`audit:j1:${KEY}:1`]);
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    expect(() => db.prepare("UPDATE audit_log SET result = 'done'").run()).toThrow(/append-only/);
  });

  it('filters history by site, device and result', () => {
    const { db } = fresh();
    const j = new JobJournal(db);
    j.createJob('j1', spec, [{ key: KEY, link: KEY }]);
    j.transition('j1', KEY, 'cancelled', { reason: 'Cancelled.', reasonKind: 'cancelled' });
    j.createJob('j2', { ...spec, site: 'South' }, [{ key: 'serial:/dev/ttyUSB1', link: 'serial:/dev/ttyUSB1' }]);
    j.transition('j2', 'serial:/dev/ttyUSB1', 'in-update-mode', { deviceId: 'feed' });
    j.transition('j2', 'serial:/dev/ttyUSB1', 'failed', { reason: 'x' });
    expect(j.audit.history({ site: 'South' }).map((r) => r.jobId)).toEqual(['j2']);
    expect(j.audit.history({ device: 'feed' }).map((r) => r.jobId)).toEqual(['j2']);
    expect(j.audit.history({ result: 'cancelled' }).map((r) => r.jobId)).toEqual(['j1']);
    expect(j.audit.history({ site: 'nowhere' })).toEqual([]);
  });

  it('gives exactly one job\'s rows when filtered by job id, every attempt of it and nothing of other jobs', () => {
    const { db } = fresh();
    const j = new JobJournal(db);
    const other = 'serial:/dev/ttyUSB1';
    j.createJob('j1', spec, [{ key: KEY, link: KEY }, { key: other, link: other }]);
    j.createJob('j2', spec, [{ key: KEY, link: KEY }]);
    j.transition('j1', KEY, 'failed', { reason: 'x' });
    j.transition('j2', KEY, 'cancelled', { reason: 'Cancelled.' });
    j.transition('j1', KEY, 'discovered');
    j.transition('j1', KEY, 'cancelled', { reason: 'Cancelled.' });
    j.transition('j1', other, 'failed', { reason: 'y' });
    expect(j.audit.history({ jobId: 'j1' }).map((r) => [r.jobId, r.deviceKey, r.attempt])).toEqual([['j1', other, 1], ['j1', KEY, 2], ['j1', KEY, 1]]);
    expect(j.audit.history({ jobId: 'j2' }).map((r) => [r.jobId, r.deviceKey])).toEqual([['j2', KEY]]);
    expect(j.audit.history({ jobId: 'j1', device: other }).map((r) => r.deviceKey)).toEqual([other]);
    expect(j.audit.history({ jobId: 'j3' })).toEqual([]);
  });
});
