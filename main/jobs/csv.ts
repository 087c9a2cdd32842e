import type { AuditEntry } from '../store/audit';

/** Columns of the history export, in order. */
export const CSV_COLUMNS = [
  'time',
  'technician',
  'site',
  'device_id',
  'board',
  'from_version',
  'to_version',
  'image_sha256',
  'link',
  'duration_s',
  'led_answers',
  'result',
  'reason',
  'job_id',
  'attempt',
] as const;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF, quotes doubled. A
 * field a spreadsheet would run as a formula (starting with = + - @, or a tab/CR before one) gets
 * a leading apostrophe first, so an exported file can never execute anything.
 */
export function csvField(value: string | number | null): string {
  let text = value === null ? '' : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The history as CSV text: a header line, then one line per row, CRLF line ends (RFC 4180). */
export function auditCsv(rows: readonly AuditEntry[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows) {
    const led = r.ledAnswers.map((a) => `${a.pattern}:${a.seen ? 'seen' : 'not-seen'}`).join(' ');
    const cells: (string | number | null)[] = [
      new Date(r.at).toISOString(),
      r.technician,
      r.site,
      r.deviceId,
      r.board,
      r.fromVersion,
      r.toVersion,
      r.imageSha256,
      r.link,
      (r.durationMs / 1000).toFixed(1),
      led,
      r.result,
      r.reason,
      r.jobId,
      r.attempt,
    ];
    lines.push(cells.map(csvField).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
