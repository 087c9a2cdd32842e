import type { Migration } from './migration';

/**
 * The laptop's clock against the cloud's: the sync's health probe reads the server's time, and the
 * difference is kept with when it was measured, so the preflight clock line can compare offline
 * with the cloud's time when last online.
 */
export const cloudClock: Migration = {
  version: 5,
  name: 'cloud-clock',
  up(db) {
    db.exec(`
      ALTER TABLE sync_state ADD COLUMN cloud_offset_ms INTEGER;
      ALTER TABLE sync_state ADD COLUMN cloud_offset_at INTEGER;
    `);
  },
};
