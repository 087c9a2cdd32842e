import { CHAIN_COLUMNS, GENESIS, recordedHead, rowHash, type ChainHead, type ChainName, type ChainRow } from './audit-chain';
import type { Db } from './db-type';

/** What broke a chain, at the first row where it shows. */
export type ChainFault = 'edited' | 'removed' | 'reordered' | 'truncated' | 'unchained' | 'appended';

/** The first break of a chain: which row, how, in words. */
export interface ChainProblem {
  kind: ChainFault;
  /** The row id named (for `removed`/`truncated`: the first missing id, when the ids show it). */
  rowId: number;
  message: string;
}

/** The verdict on one chain. */
export interface ChainVerdict {
  chain: ChainName;
  table: string;
  rows: number;
  intact: boolean;
  /** The last row's id and hash as walked. */
  head: ChainHead;
  /** The head kept with the sync state; null before the first row. */
  recordedHead: ChainHead | null;
  problem: ChainProblem | null;
}

/**
 * Walks `chain` in id order: each row's hash must match its content and its predecessor's hash,
 * and the last row must be the head kept with the sync state. Stops at the first break and names
 * the row: edited (content no longer matches its hash), removed (its predecessor is gone),
 * reordered (its predecessor is elsewhere in the table), truncated (rows after the last are gone).
 */
export function verifyChain(db: Db, chain: ChainName): ChainVerdict {
  const { table } = CHAIN_COLUMNS[chain];
  const rows = db.prepare(`SELECT * FROM ${table} ORDER BY id`).all() as (ChainRow & { id: number; prev_hash: string | null; row_hash: string | null })[];
  const recorded = recordedHead(db, chain);
  const idOf = new Map<string, number>();
  for (const r of rows) if (r.row_hash) idOf.set(r.row_hash, r.id);
  const what = chain === 'audit' ? 'audit row' : 'job event';
  const verdict = (problem: ChainProblem | null, head: ChainHead): ChainVerdict => ({ chain, table, rows: rows.length, intact: problem === null, head, recordedHead: recorded, problem });

  let prev: ChainHead = { id: 0, hash: GENESIS };
  for (const r of rows) {
    const label = `${what} ${r.id}${describe(chain, r)}`;
    if (!r.prev_hash || !r.row_hash) return verdict({ kind: 'unchained', rowId: r.id, message: `${label} has no chain hash: it was added outside siteflash.` }, prev);
    if (rowHash(chain, r.prev_hash, r) !== r.row_hash) {
      return verdict({ kind: 'edited', rowId: r.id, message: `${label} was edited: its content no longer matches its hash.` }, prev);
    }
    if (r.prev_hash !== prev.hash) {
      const elsewhere = idOf.get(r.prev_hash);
      if (elsewhere !== undefined) {
        return verdict({ kind: 'reordered', rowId: r.id, message: `${label} is out of order: it was written after ${what} ${elsewhere}, which now comes ${elsewhere > r.id ? 'later' : 'earlier'}.` }, prev);
      }
      const missing = r.id > prev.id + 1 ? prev.id + 1 : r.id;
      return verdict(
        {
          kind: 'removed',
          rowId: missing,
          message: r.id > prev.id + 1
            ? `${what} ${missing} was removed: ${label} follows a row that is no longer there.`
            : `a row before ${label} was removed: it follows a row that is no longer there.`,
        },
        prev,
      );
    }
    prev = { id: r.id, hash: r.row_hash };
  }
  if (recorded && recorded.hash !== prev.hash) {
    if (idOf.has(recorded.hash) || recorded.id < prev.id) {
      const after = rows.find((r) => r.id > recorded.id);
      return verdict({ kind: 'appended', rowId: after?.id ?? prev.id, message: `${what} ${after?.id ?? prev.id} and after were added outside siteflash: the chain head kept with the sync state is ${what} ${recorded.id}.` }, prev);
    }
    const first = prev.id + 1;
    return verdict(
      {
        kind: 'truncated',
        rowId: first,
        message: `${what} ${first}${recorded.id > first ? ` to ${recorded.id}` : ''} ${recorded.id > first ? 'were' : 'was'} removed from the end: the chain head kept with the sync state is ${what} ${recorded.id}, the log ends at ${prev.id === 0 ? 'nothing' : `${what} ${prev.id}`}.`,
      },
      prev,
    );
  }
  return verdict(null, prev);
}

/** Both chains of a database. */
export function verifyChains(db: Db): ChainVerdict[] {
  return [verifyChain(db, 'audit'), verifyChain(db, 'events')];
}

function describe(chain: ChainName, r: ChainRow): string {
  const s = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
  return chain === 'audit'
    ? ` (job ${s(r.job_id)}, device ${s(r.device_id) || s(r.device_key)}, attempt ${s(r.attempt)})`
    : ` (job ${s(r.job_id)}, event ${s(r.seq)})`;
}
