import { linkRow, recordHead } from './audit-chain';
import type { Db } from './db-type';
import type { AuditEntry, EndState, HistoryFilter, LedAnswer } from '../jobs/types';

export type { AuditEntry, HistoryFilter } from '../jobs/types';

/** An audit_log row as SQLite returns it (the chain columns aside). */
export interface RawAudit {
  job_id: string;
  device_key: string;
  attempt: number;
  at: number;
  technician: string;
  site: string | null;
  device_id: string | null;
  board: string | null;
  from_version: string | null;
  to_version: string | null;
  image_sha256: string | null;
  link: string;
  started_at: number;
  duration_ms: number;
  led_answers: string;
  result: EndState;
  reason: string | null;
}

/** The append-only audit log (`audit_log`; UPDATE and DELETE are refused by triggers). */
export class AuditLog {
  private readonly insert;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      `INSERT INTO audit_log (job_id, device_key, attempt, at, technician, site, device_id, board, from_version, to_version,
         image_sha256, link, started_at, duration_ms, led_answers, result, reason, prev_hash, row_hash)
       VALUES (@jobId, @deviceKey, @attempt, @at, @technician, @site, @deviceId, @board, @fromVersion, @toVersion,
         @imageSha256, @link, @startedAt, @durationMs, @ledAnswers, @result, @reason, @prevHash, @rowHash)`,
    );
  }

  /**
   * Appends one row, linked to the chain's head (main/store/README.md "Hash chains"), and keeps
   * the new head with the sync state; call it inside the transaction that records the device's end.
   */
  append(e: AuditEntry): AuditLink {
    const ledAnswers = JSON.stringify(e.ledAnswers);
    const { prevHash, rowHash } = linkRow(this.db, 'audit', toColumns(e, ledAnswers));
    const id = Number(this.insert.run({ ...e, ledAnswers, prevHash, rowHash }).lastInsertRowid);
    recordHead(this.db, 'audit', { id, hash: rowHash });
    return { id, prevHash, hash: rowHash };
  }

  /** Rows matching `filter`, newest first. */
  history(filter: HistoryFilter = {}): AuditEntry[] {
    const where: string[] = [];
    const args: Record<string, string | number> = {};
    const add = (clause: string, name: string, value: string | number | undefined) => {
      if (value === undefined) return;
      where.push(clause);
      args[name] = value;
    };
    // Site and device match any part, ignoring case ("hall b" finds "Demo plant, hall B"; "0006" finds its EUI-64).
    add("site LIKE @site ESCAPE '\\'", 'site', containing(filter.site));
    add('job_id = @jobId', 'jobId', filter.jobId);
    add("(device_id LIKE @device ESCAPE '\\' OR device_key LIKE @device ESCAPE '\\')", 'device', containing(filter.device));
    add('result = @result', 'result', filter.result);
    add('at >= @from', 'from', filter.from);
    add('at <= @to', 'to', filter.to);
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC LIMIT @limit`;
    const rows = this.db.prepare(sql).all({ ...args, limit: filter.limit ?? -1 }) as RawAudit[];
    return rows.map(fromRaw);
  }
}

/** Where an appended row sits in the chain; sent with the row to the cloud so it can see gaps. */
export interface AuditLink {
  id: number;
  prevHash: string;
  hash: string;
}

/** The audit_log columns of an entry, as hashed (main/store/README.md "Hash chains"). */
export function toColumns(e: AuditEntry, ledAnswers: string = JSON.stringify(e.ledAnswers)): Record<string, unknown> {
  return {
    job_id: e.jobId,
    device_key: e.deviceKey,
    attempt: e.attempt,
    at: e.at,
    technician: e.technician,
    site: e.site,
    device_id: e.deviceId,
    board: e.board,
    from_version: e.fromVersion,
    to_version: e.toVersion,
    image_sha256: e.imageSha256,
    link: e.link,
    started_at: e.startedAt,
    duration_ms: e.durationMs,
    led_answers: ledAnswers,
    result: e.result,
    reason: e.reason,
  };
}

/** A LIKE pattern matching `text` anywhere (its own `%`, `_` and `\` taken literally); SQLite's LIKE ignores ASCII case. */
function containing(text: string | undefined): string | undefined {
  return text === undefined ? undefined : `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** An audit_log row as the entry the rest of the app reads. */
export function fromRaw(r: RawAudit): AuditEntry {
  return {
    jobId: r.job_id,
    deviceKey: r.device_key,
    attempt: r.attempt,
    at: r.at,
    technician: r.technician,
    site: r.site,
    deviceId: r.device_id,
    board: r.board,
    fromVersion: r.from_version,
    toVersion: r.to_version,
    imageSha256: r.image_sha256,
    link: r.link,
    startedAt: r.started_at,
    durationMs: r.duration_ms,
    ledAnswers: JSON.parse(r.led_answers) as LedAnswer[],
    result: r.result,
    reason: r.reason,
  };
}
