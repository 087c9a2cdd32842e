import { SiteflashError } from '../errors';
import { laptopKey } from '../secrets/laptop-key';
import type { SecretStore } from '../secrets/secret-store';
import type { Db } from '../store/db-type';
import { buildVisitReport } from './build';
import { reportHtml } from './html';
import { signReport } from './sign';
import { listVisits } from './visits';
import type { VisitReportFiles } from '../../preload/api';

/** The visit a job belongs to, or `visit-not-found`. */
export function visitOfJob(db: Db, jobId: string): string {
  const v = listVisits(db).find((x) => x.jobIds.includes(jobId));
  if (!v) throw new SiteflashError('visit-not-found', `No visit holds job ${jobId}.`);
  return v.id;
}

/** Builds the report of a visit, signs it with the laptop key (made on first use) and renders its printable page. */
export async function exportVisitReport(db: Db, secrets: SecretStore, opts: { visitId: string; now: number; appVersion: string }): Promise<VisitReportFiles> {
  const key = await laptopKey(secrets);
  const report = buildVisitReport(db, opts.visitId, { now: opts.now, appVersion: opts.appVersion, laptopKey: key });
  const { bytes, signature } = signReport(report, key);
  return {
    visitId: report.visit.id,
    fileName: `visit-report-${report.visit.id}.json`,
    json: bytes.toString('utf8'),
    signatureBase64: signature.toString('base64'),
    html: reportHtml(report),
    fingerprint: key.fingerprint,
  };
}
