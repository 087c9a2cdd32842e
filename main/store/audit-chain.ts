import { createHash } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { Db } from './db-type';

/**
 * The hash chains over `audit_log` and `batch_events` (main/store/README.md "Hash chains").
 *
 * Each row carries `prev_hash` (the `row_hash` of the row before it, or {@link GENESIS} for the
 * first) and `row_hash = SHA-256(prev_hash ‖ "\n" ‖ canonical)`, lower-case hex, where `canonical`
 * is the UTF-8 of `JSON.stringify` of a fixed array of the row's columns (strings, integers and
 * nulls only, so it is RFC 8785 canonical JSON too). The row id is not part of it: the links, not
 * the ids, say the order, so a moved row shows as moved and an edited one as edited.
 */
export const GENESIS = '0'.repeat(64);

/** Which chain: the audit log or the job journal's events. */
export type ChainName = 'audit' | 'events';

/** The columns of each chain, in canonical order, after a version tag. */
export const CHAIN_COLUMNS: Record<ChainName, { table: string; tag: string; columns: readonly string[] }> = {
  audit: {
    table: 'audit_log',
    tag: 'siteflash-audit/1',
    columns: ['job_id', 'device_key', 'attempt', 'at', 'technician', 'site', 'device_id', 'board', 'from_version', 'to_version', 'image_sha256', 'link', 'started_at', 'duration_ms', 'led_answers', 'result', 'reason'],
  },
  events: {
    table: 'batch_events',
    tag: 'siteflash-event/1',
    columns: ['job_id', 'seq', 'at', 'device_key', 'kind', 'from_state', 'to_state', 'detail'],
  },
};

/** A row as read from its table (column name → value). */
export type ChainRow = Record<string, unknown>;

/** The canonical text of a row of `chain` (see the module comment). */
export function canonicalRow(chain: ChainName, row: ChainRow): string {
  const spec = CHAIN_COLUMNS[chain];
  return JSON.stringify([spec.tag, ...spec.columns.map((c) => row[c] ?? null)]);
}

/** `SHA-256(prevHash ‖ "\n" ‖ canonical)` as lower-case hex. */
export function rowHash(chain: ChainName, prevHash: string, row: ChainRow): string {
  return createHash('sha256').update(`${prevHash}\n${canonicalRow(chain, row)}`, 'utf8').digest('hex');
}

/** The last link of a chain: its row id and hash (GENESIS and id 0 when the chain is empty). */
export interface ChainHead {
  id: number;
  hash: string;
}

/** Prepared statements per connection: appends run on every journal event, so they are not prepared each time. */
const statements = new WeakMap<Db, Map<string, Statement<unknown[]>>>();
function prepared(db: Db, sql: string): Statement<unknown[]> {
  let byDb = statements.get(db);
  if (!byDb) statements.set(db, (byDb = new Map()));
  let st = byDb.get(sql);
  if (!st) byDb.set(sql, (st = db.prepare<unknown[]>(sql)));
  return st;
}

/** The head of `chain` as the table holds it now. */
export function tableHead(db: Db, chain: ChainName): ChainHead {
  const r = prepared(db, `SELECT id, row_hash FROM ${CHAIN_COLUMNS[chain].table} ORDER BY id DESC LIMIT 1`).get() as { id: number; row_hash: string | null } | undefined;
  return r ? { id: r.id, hash: r.row_hash ?? GENESIS } : { id: 0, hash: GENESIS };
}

/** The head recorded with the sync state when the last row was appended (null before any). */
export function recordedHead(db: Db, chain: ChainName): ChainHead | null {
  const r = db.prepare(`SELECT ${chain}_head_id AS id, ${chain}_head_hash AS hash FROM sync_state WHERE id = 1`).get() as { id: number | null; hash: string | null } | undefined;
  return r && r.id !== null && r.hash !== null ? { id: r.id, hash: r.hash } : null;
}

/**
 * Links `row` to the chain's current head and returns its hashes; call it inside the transaction
 * that inserts the row, then {@link recordHead} with the inserted id.
 */
export function linkRow(db: Db, chain: ChainName, row: ChainRow): { prevHash: string; rowHash: string } {
  const prevHash = tableHead(db, chain).hash;
  return { prevHash, rowHash: rowHash(chain, prevHash, row) };
}

/** Keeps the chain head with the sync state (same transaction as the insert). */
export function recordHead(db: Db, chain: ChainName, head: ChainHead): void {
  prepared(db, `UPDATE sync_state SET ${chain}_head_id = ?, ${chain}_head_hash = ? WHERE id = 1`).run(head.id, head.hash);
}
