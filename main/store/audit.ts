import type { Db } from './db-type';
import type { AuditEntry, EndState, HistoryFilter, LedAnswer } from '../jobs/types';

export type { AuditEntry, HistoryFilter } from '../jobs/types';

interface RawAudit {
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
         image_sha256, link, started_at, duration_ms, led_answers, result, reason)
       VALUES (@jobId, @deviceKey, @attempt, @at, @technician, @site, @deviceId, @board, @fromVersion, @toVersion,
         @imageSha256, @link, @startedAt, @durationMs, @ledAnswers, @result, @reason)`,
    );
  }

  /** Appends one row; call it inside the transaction that records the device's end. */
  append(e: AuditEntry): void {
    this.insert.run({ ...e, ledAnswers: JSON.stringify(e.ledAnswers) });
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

/** A LIKE pattern matching `text` anywhere (its own `%`, `_` and `\` taken literally); SQLite's LIKE ignores ASCII case. */
function containing(text: string | undefined): string | undefined {
  return text === undefined ? undefined : `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function fromRaw(r: RawAudit): AuditEntry {
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
