import { rowHash, GENESIS, type ChainName, type ChainRow } from '../audit-chain';
import type { Db } from '../db-type';
import type { Migration } from './migration';

/**
 * Hash chains over `audit_log` and `batch_events` (main/store/README.md "Hash chains"): adds
 * `prev_hash` and `row_hash` to both, chains the rows already there in id order, keeps each
 * chain's head with the sync state, and refuses DELETE on `batch_events` as on the audit log.
 */
export const auditChain: Migration = {
  version: 3,
  name: 'audit-chain',
  up(db) {
    db.exec(`
      ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
      ALTER TABLE audit_log ADD COLUMN row_hash TEXT;
      ALTER TABLE batch_events ADD COLUMN prev_hash TEXT;
      ALTER TABLE batch_events ADD COLUMN row_hash TEXT;
      ALTER TABLE sync_state ADD COLUMN audit_head_id INTEGER;
      ALTER TABLE sync_state ADD COLUMN audit_head_hash TEXT;
      ALTER TABLE sync_state ADD COLUMN events_head_id INTEGER;
      ALTER TABLE sync_state ADD COLUMN events_head_hash TEXT;
      -- The rows already written are chained once, here; the triggers stay off only inside this step's transaction.
      DROP TRIGGER audit_log_no_update;
      DROP TRIGGER batch_events_no_update;
    `);
    backfill(db, 'audit', 'audit_log');
    backfill(db, 'events', 'batch_events');
    db.exec(`
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TRIGGER batch_events_no_update BEFORE UPDATE ON batch_events BEGIN SELECT RAISE(ABORT, 'job events are append-only'); END;
      CREATE TRIGGER batch_events_no_delete BEFORE DELETE ON batch_events BEGIN SELECT RAISE(ABORT, 'job events are append-only'); END;
    `);
  },
};

function backfill(db: Db, chain: ChainName, table: string): void {
  const rows = db.prepare(`SELECT * FROM ${table} ORDER BY id`).all() as (ChainRow & { id: number })[];
  const set = db.prepare(`UPDATE ${table} SET prev_hash = ?, row_hash = ? WHERE id = ?`);
  let prev = GENESIS;
  let last = 0;
  for (const r of rows) {
    const hash = rowHash(chain, prev, r);
    set.run(prev, hash, r.id);
    prev = hash;
    last = r.id;
  }
  if (rows.length > 0) db.prepare(`UPDATE sync_state SET ${chain}_head_id = ?, ${chain}_head_hash = ? WHERE id = 1`).run(last, prev);
}
