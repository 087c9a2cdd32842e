import type { VisitInfo } from '../../preload/api';
import type { Db } from '../store/db-type';

/**
 * A visit is one technician's work at one site on one calendar day (the laptop's local date):
 * every job whose `site`, `technician` and creation day match. The id reads as
 * `YYYY-MM-DD_<site>_<technician>` (lower case, runs of other characters as `-`).
 */
export type VisitSummary = VisitInfo;

/** The laptop's local date of an epoch ms, YYYY-MM-DD. */
export function localDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'none';
}

/** The visit id of a site, technician and date. */
export function visitId(site: string | null, technician: string, date: string): string {
  return `${date}_${slug(site ?? '')}_${slug(technician)}`;
}

/** Every visit the journal knows, newest first. */
export function listVisits(db: Db): VisitSummary[] {
  const jobs = db.prepare('SELECT id, site, technician, created_at, updated_at FROM batch_jobs ORDER BY created_at, rowid').all() as {
    id: string;
    site: string | null;
    technician: string;
    created_at: number;
    updated_at: number;
  }[];
  const visits = new Map<string, VisitSummary>();
  for (const j of jobs) {
    const date = localDate(j.created_at);
    const id = visitId(j.site, j.technician, date);
    const v = visits.get(id) ?? { id, site: j.site, technician: j.technician, date, jobIds: [], from: j.created_at, to: j.updated_at };
    v.jobIds.push(j.id);
    v.to = Math.max(v.to, j.updated_at);
    visits.set(id, v);
  }
  return [...visits.values()].sort((a, b) => b.from - a.from);
}
