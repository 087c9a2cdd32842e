import type { Migration } from './migration';

/**
 * The site's device list as a checklist, and the fleet rules (resources/openapi.yaml `Device`,
 * `Site`, `DeviceGroup`): each cached device gains its location, group, pin, lock and development
 * flag; each site its target version and its groups. Devices cached before this step have no rule.
 */
export const fleetRules: Migration = {
  version: 4,
  name: 'fleet-rules',
  up(db) {
    db.exec(`
      ALTER TABLE catalog_devices ADD COLUMN location TEXT;
      ALTER TABLE catalog_devices ADD COLUMN group_id TEXT;
      ALTER TABLE catalog_devices ADD COLUMN pinned_version TEXT;
      ALTER TABLE catalog_devices ADD COLUMN locked INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1));
      ALTER TABLE catalog_devices ADD COLUMN lock_reason TEXT;
      ALTER TABLE catalog_devices ADD COLUMN development INTEGER NOT NULL DEFAULT 0 CHECK (development IN (0, 1));
      ALTER TABLE catalog_sites ADD COLUMN target_version TEXT;

      CREATE TABLE catalog_groups (
        site_id         TEXT    NOT NULL REFERENCES catalog_sites (id) ON DELETE CASCADE,
        id              TEXT    NOT NULL,
        name            TEXT    NOT NULL,
        target_version  TEXT,
        fetched_at      INTEGER NOT NULL,
        PRIMARY KEY (site_id, id)
      ) STRICT;
    `);
  },
};
