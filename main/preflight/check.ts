import type { PreflightCheck, PreflightStatus } from '../../preload/api';

/** A check's line, with the fix only where there is something to do. */
export function line(id: PreflightCheck['id'], title: string, status: PreflightStatus, detail: string, fix?: string): PreflightCheck {
  return { id, title, status, detail, ...(status !== 'ok' && fix ? { fix } : {}) };
}

const RANK: Record<PreflightStatus, number> = { fail: 0, unknown: 1, warn: 2, ok: 3 };

/** The lowest status of a list (fail < unknown < warn < ok); ok for an empty list. */
export function worstOf(statuses: readonly PreflightStatus[]): PreflightStatus {
  return statuses.reduce<PreflightStatus>((w, s) => (RANK[s] < RANK[w] ? s : w), 'ok');
}

/** Bytes as the technician reads them: MiB under a GiB, GiB above. */
export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  return `${Math.ceil(n / 1024 ** 2)} MiB`;
}
