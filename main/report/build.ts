import { SiteflashError } from '../errors';
import type { JobSpec } from '../jobs/types';
import { verifyChain } from '../store/chain-verify';
import { fromRaw, type RawAudit } from '../store/audit';
import type { Db } from '../store/db-type';
import { whatToTry } from './advice';
import { REPORT_FORMAT, type BoardTotals, type NeedsAttention, type ReportDeviceRow, type ReportJob, type VisitReport } from './types';
import { listVisits } from './visits';
import type { LaptopKeyInfo } from '../../preload/api';

/** What a report is made with besides the database. */
export interface BuildReportOptions {
  now: number;
  appVersion: string;
  laptopKey: LaptopKeyInfo;
}

interface RawAuditRow extends RawAudit {
  id: number;
  prev_hash: string;
  row_hash: string;
}

/**
 * Builds the report of one visit from the journal: its jobs and releases, every audit row of
 * them (each attempt of each device) with its place in the hash chain, the devices whose last
 * attempt did not end `done` with what to try, and totals per board. Refuses (`audit-chain-broken`)
 * when the audit chain does not verify: a report never vouches for a log that was changed.
 */
export function buildVisitReport(db: Db, id: string, opts: BuildReportOptions): VisitReport {
  const visit = listVisits(db).find((v) => v.id === id);
  if (!visit) throw new SiteflashError('visit-not-found', `There is no visit ${id}. \`siteflash report list\` shows the visits this laptop knows.`);
  const chain = verifyChain(db, 'audit');
  if (!chain.intact) throw new SiteflashError('audit-chain-broken', `The audit log does not verify, so no report is signed: ${chain.problem?.message ?? ''}`, false);

  const jobRows = visit.jobIds.map((jobId) => db.prepare('SELECT id, state, created_at, spec FROM batch_jobs WHERE id = ?').get(jobId) as { id: string; state: string; created_at: number; spec: string });
  const jobs: ReportJob[] = jobRows.map((j) => {
    const spec = JSON.parse(j.spec) as JobSpec;
    return {
      id: j.id,
      kind: spec.kind ?? 'firmware',
      state: j.state,
      createdAt: j.created_at,
      release: {
        kind: spec.release.kind,
        name: spec.release.name,
        bundleId: spec.release.bundleId ?? null,
        manifestSha256: spec.release.manifestSha256 ?? null,
        components: spec.release.components.map((c) => ({ board: c.board, version: c.version, sha256: c.sha256, imageHash: c.imageHash })),
      },
    };
  });

  const placeholders = visit.jobIds.map(() => '?').join(', ');
  const audit = db.prepare(`SELECT * FROM audit_log WHERE job_id IN (${placeholders}) ORDER BY id`).all(...visit.jobIds) as RawAuditRow[];
  const journal = db.prepare('SELECT retries, reason_kind, attempt FROM batch_devices WHERE job_id = ? AND key = ?');
  const reasonKindOf = db.prepare("SELECT detail FROM batch_events WHERE job_id = ? AND device_key = ? AND kind = 'state' AND to_state = ? AND at = ? ORDER BY seq DESC LIMIT 1");
  const devices: ReportDeviceRow[] = audit.map((r) => {
    const d = journal.get(r.job_id, r.device_key) as { retries: number; reason_kind: string | null; attempt: number } | undefined;
    // The device row holds the last attempt; an earlier attempt's reason kind is in its end event.
    let reasonKind = d && d.attempt === r.attempt ? d.reason_kind : null;
    if (reasonKind === null && r.reason !== null) {
      const ev = reasonKindOf.get(r.job_id, r.device_key, r.result, r.at) as { detail: string } | undefined;
      const k = ev ? (JSON.parse(ev.detail) as { reasonKind?: unknown }).reasonKind : undefined;
      reasonKind = typeof k === 'string' ? k : null;
    }
    return { ...fromRaw(r), retries: d && d.attempt === r.attempt ? d.retries : 0, reasonKind, audit: { id: r.id, prevHash: r.prev_hash, hash: r.row_hash } };
  });

  // The last attempt of each device decides its totals and whether it needs attention.
  const last = new Map<string, ReportDeviceRow>();
  for (const row of devices) last.set(`${row.jobId}\n${row.deviceKey}`, row);
  const needsAttention: NeedsAttention[] = [...last.values()]
    .filter((r) => r.result !== 'done')
    .map((r) => ({ jobId: r.jobId, deviceKey: r.deviceKey, deviceId: r.deviceId, board: r.board, result: r.result, reason: r.reason, whatToTry: whatToTry(r.reasonKind, r.result) }));
  const totals = new Map<string, BoardTotals>();
  for (const r of last.values()) {
    const board = r.board ?? '(unknown board)';
    const t = totals.get(board) ?? { board, devices: 0, done: 0, failed: 0, rolledBack: 0, cancelled: 0 };
    t.devices += 1;
    if (r.result === 'done') t.done += 1;
    else if (r.result === 'failed') t.failed += 1;
    else if (r.result === 'rolled-back') t.rolledBack += 1;
    else t.cancelled += 1;
    totals.set(board, t);
  }

  return {
    format: REPORT_FORMAT,
    visit: {
      id: visit.id,
      site: visit.site,
      technician: visit.technician,
      date: visit.date,
      definition: 'Every job of this technician at this site started on this date (the laptop\'s local date).',
      from: visit.from,
      to: Math.max(visit.to, ...devices.map((d) => d.at)),
    },
    generatedAt: opts.now,
    generator: { app: 'siteflash', version: opts.appVersion },
    laptopKey: { algorithm: opts.laptopKey.algorithm, publicKeyPem: opts.laptopKey.publicKeyPem, fingerprint: opts.laptopKey.fingerprint },
    jobs,
    devices,
    needsAttention,
    totals: [...totals.values()].sort((a, b) => a.board.localeCompare(b.board)),
    auditChain: { intact: true, head: chain.head },
  };
}

