import { createPublicKey, verify } from 'node:crypto';
import type { LaptopKey } from '../secrets/laptop-key';
import { publicKeyInfo } from '../secrets/laptop-key';
import { rowHash } from '../store/audit-chain';
import { toColumns } from '../store/audit';
import type { Db } from '../store/db-type';
import { verifyChain } from '../store/chain-verify';
import { REPORT_FORMAT, type VisitReport } from './types';

/** The report file's bytes: pretty JSON and a final newline; the signature covers exactly these. */
export function reportBytes(report: VisitReport): Buffer {
  return Buffer.from(`${JSON.stringify(report, null, 2)}\n`, 'utf8');
}

/** The report's bytes and their detached Ed25519 signature (64 raw bytes, what `openssl pkeyutl -rawin` checks). */
export function signReport(report: VisitReport, key: LaptopKey): { bytes: Buffer; signature: Buffer } {
  const bytes = reportBytes(report);
  return { bytes, signature: key.sign(bytes) };
}

/** One check of `report verify`, in words. */
export interface ReportCheck {
  ok: boolean;
  what: string;
}

/** The verdict on a report file. */
export interface ReportVerdict {
  ok: boolean;
  visitId: string | null;
  fingerprint: string | null;
  checks: ReportCheck[];
}

/**
 * Checks a report file: the signature by the public key it names (and, with `fingerprint`, that
 * the key is that one); that every device row is its audit row as chained (its hash recomputed
 * from the row's own fields and link); and, with `db`, that the laptop's audit chain verifies and
 * holds each row at its id with that hash.
 */
export function verifyReport(bytes: Buffer, signature: Buffer, opts: { db?: Db | null; fingerprint?: string } = {}): ReportVerdict {
  const checks: ReportCheck[] = [];
  const done = (visitId: string | null = null, fingerprint: string | null = null): ReportVerdict => ({ ok: checks.every((c) => c.ok), visitId, fingerprint, checks });
  let report: VisitReport;
  try {
    report = JSON.parse(bytes.toString('utf8')) as VisitReport;
  } catch (err) {
    checks.push({ ok: false, what: `The file is not JSON: ${err instanceof Error ? err.message : String(err)}` });
    return done();
  }
  if (report?.format !== REPORT_FORMAT || !Array.isArray(report.devices) || typeof report.laptopKey?.publicKeyPem !== 'string') {
    checks.push({ ok: false, what: `The file is not a siteflash visit report (${REPORT_FORMAT}).` });
    return done();
  }
  let fingerprint: string | null = null;
  try {
    const key = createPublicKey(report.laptopKey.publicKeyPem);
    fingerprint = publicKeyInfo(key).fingerprint;
    const good = key.asymmetricKeyType === 'ed25519' && verify(null, bytes, key, signature);
    checks.push({ ok: good, what: good ? `Signature verifies with the laptop key ${fingerprint}.` : `The signature does not match the file and the laptop key ${fingerprint}: the file was changed after signing, or the signature is another file's.` });
  } catch (err) {
    checks.push({ ok: false, what: `The report's laptop key cannot be read: ${err instanceof Error ? err.message : String(err)}` });
  }
  if (fingerprint !== null && fingerprint !== report.laptopKey.fingerprint) checks.push({ ok: false, what: 'The fingerprint written in the report is not that of its key.' });
  if (opts.fingerprint !== undefined) {
    const same = fingerprint === opts.fingerprint.toLowerCase();
    checks.push({ ok: same, what: same ? 'The laptop key is the expected one.' : `The laptop key is ${fingerprint ?? 'unreadable'}, not the expected ${opts.fingerprint}.` });
  }
  const bad = report.devices.filter((d) => rowHash('audit', d.audit.prevHash, toColumns(d)) !== d.audit.hash);
  checks.push(
    bad.length === 0
      ? { ok: true, what: `All ${report.devices.length} device rows are their audit rows as chained.` }
      : { ok: false, what: `Device row${bad.length > 1 ? 's' : ''} ${bad.map((d) => `audit ${d.audit.id} (${d.deviceId ?? d.deviceKey})`).join(', ')} ${bad.length > 1 ? 'do' : 'does'} not match ${bad.length > 1 ? 'their' : 'its'} audit hash.` },
  );
  if (opts.db) {
    const chain = verifyChain(opts.db, 'audit');
    checks.push({ ok: chain.intact, what: chain.intact ? `This laptop's audit chain verifies (${chain.rows} rows).` : `This laptop's audit chain is broken: ${chain.problem?.message ?? ''}` });
    const at = opts.db.prepare('SELECT row_hash FROM audit_log WHERE id = ?');
    const missing = report.devices.filter((d) => (at.get(d.audit.id) as { row_hash: string } | undefined)?.row_hash !== d.audit.hash);
    checks.push(
      missing.length === 0
        ? { ok: true, what: `Every device row is in this laptop's audit log at its id with its hash.` }
        : { ok: false, what: `Audit row${missing.length > 1 ? 's' : ''} ${missing.map((d) => d.audit.id).join(', ')} of the report ${missing.length > 1 ? 'are' : 'is'} not in this laptop's audit log as reported.` },
    );
  }
  return done(report.visit?.id ?? null, fingerprint);
}
