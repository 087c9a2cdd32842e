import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../../main/store/audit';
import type { AuditEntry } from '../../../main/jobs/types';
import { tempDb } from './helpers';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function row(n: number, site: string, deviceId: string, deviceKey: string): AuditEntry {
  return {
    jobId: `job-${n}`,
    deviceKey,
    attempt: 1,
    at: 1_700_000_000_000 + n,
    technician: 'Ada',
    site,
    deviceId,
    board: 'sf-sensor-t',
    fromVersion: '1.4.2+0',
    toVersion: '1.5.0+17',
    imageSha256: null,
    link: deviceKey,
    startedAt: 1_700_000_000_000,
    durationMs: 1,
    ledAnswers: [],
    result: 'done',
    reason: null,
  };
}

function log(): AuditLog {
  const { db, cleanup } = tempDb();
  cleanups.push(cleanup);
  const audit = new AuditLog(db);
  audit.append(row(1, 'Demo plant, hall B', '5f1a540000000006', 'loopback:gateway/5f1a540000000006'));
  audit.append(row(2, 'Pump station 4', '5f1a5400000000a1', 'serial:/dev/ttyACM0'));
  audit.append(row(3, 'Pump 100%_x', '5f1a5400000000b2', 'serial:/dev/ttyACM1'));
  return audit;
}

const jobs = (rows: AuditEntry[]) => rows.map((r) => r.jobId).sort();

describe('history search', () => {
  it('matches a part of the site name, ignoring case', () => {
    expect(jobs(log().history({ site: 'hall b' }))).toEqual(['job-1']);
    expect(jobs(log().history({ site: 'pump' }))).toEqual(['job-2', 'job-3']);
  });

  it('matches the last digits of a device id, or a part of the link', () => {
    expect(jobs(log().history({ device: '0006' }))).toEqual(['job-1']);
    expect(jobs(log().history({ device: 'ttyACM' }))).toEqual(['job-2', 'job-3']);
  });

  it('takes % and _ literally', () => {
    expect(jobs(log().history({ site: '100%_' }))).toEqual(['job-3']);
    expect(jobs(log().history({ site: '%' }))).toEqual(['job-3']);
  });
});
