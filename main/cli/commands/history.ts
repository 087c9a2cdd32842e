/**
 * `siteflash history [--job ID] [--site S] [--device D] [--result R] [--csv FILE] [--json]`: the audit log of
 * batch updates, filtered; `--csv` writes it as an RFC 4180 file instead of printing it.
 */
import { writeFile } from 'node:fs/promises';
import { auditCsv } from '../../jobs/csv';
import type { EndState } from '../../jobs/types';
import type { AuditEntry, HistoryFilter } from '../../store/audit';
import { AuditLog } from '../../store/audit';
import { openDatabase } from '../../store/database';
import { EXIT, parseOptions, UsageError, type CliContext, type Command } from '../command';

const RESULTS: readonly EndState[] = ['done', 'failed', 'rolled-back', 'cancelled'];

async function run(argv: string[], ctx: CliContext): Promise<number> {
  const { values } = parseOptions(
    argv,
    { job: { type: 'string' }, site: { type: 'string' }, device: { type: 'string' }, result: { type: 'string' }, csv: { type: 'string' }, limit: { type: 'string' } },
    false,
  );
  const filter: HistoryFilter = {};
  if (values.job !== undefined) filter.jobId = values.job;
  if (values.site !== undefined) filter.site = values.site;
  if (values.device !== undefined) filter.device = values.device;
  if (values.result !== undefined) {
    if (!RESULTS.includes(values.result as EndState)) throw new UsageError(`--result must be one of ${RESULTS.join(', ')}`);
    filter.result = values.result as EndState;
  }
  if (values.limit !== undefined) {
    const n = Number(values.limit);
    if (!Number.isInteger(n) || n < 1) throw new UsageError('--limit must be a positive whole number');
    filter.limit = n;
  }
  const { db } = openDatabase({ dataDir: ctx.dataDir });
  let rows: AuditEntry[];
  try {
    rows = new AuditLog(db).history(filter);
  } finally {
    db.close();
  }
  if (values.csv !== undefined) {
    await writeFile(values.csv, auditCsv(rows), 'utf8');
    ctx.out(ctx.json ? JSON.stringify({ csv: values.csv, rows: rows.length }) : `Wrote ${rows.length} rows to ${values.csv}.`);
    return EXIT.ok;
  }
  if (ctx.json) ctx.out(JSON.stringify({ history: rows }, null, 2));
  else ctx.out(table(rows));
  return EXIT.ok;
}

function table(rows: AuditEntry[]): string {
  if (rows.length === 0) return 'No updates match.';
  const head = ['TIME', 'SITE', 'DEVICE', 'BOARD', 'FROM', 'TO', 'RESULT', 'TECHNICIAN', 'REASON'];
  const body = rows.map((r) => [
    new Date(r.at).toISOString().replace('T', ' ').slice(0, 19),
    r.site ?? '-',
    r.deviceId ?? r.deviceKey,
    r.board ?? '-',
    r.fromVersion ?? '-',
    r.toVersion ?? '-',
    r.result,
    r.technician,
    r.reason ?? '',
  ]);
  const all = [head, ...body];
  const widths = head.map((_, i) => Math.max(...all.map((r) => (r[i] as string).length)));
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] as number))).join('  ').trimEnd()).join('\n');
}

/** The `history` command. */
export const historyCommand: Command = {
  name: 'history',
  summary: 'Show or export (--csv) the audit log of updates, by job, site, device or result',
  usage: 'history [--job ID] [--site S] [--device D] [--result R] [--limit N] [--csv FILE] [--json]',
  run,
};
