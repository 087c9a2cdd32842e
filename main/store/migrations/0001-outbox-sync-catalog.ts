import type { Migration } from './migration';

/** The outbox, sync state, catalog cache and bundle downloads: what the cloud connector needs. */
export const outboxSyncCatalog: Migration = {
  version: 1,
  name: 'outbox-sync-catalog',
  up(db) {
    db.exec(`
      CREATE TABLE outbox (
        id               INTEGER PRIMARY KEY,
        kind             TEXT    NOT NULL CHECK (kind IN ('result', 'audit')),
        payload          TEXT    NOT NULL CHECK (json_valid(payload)),
        idempotency_key  TEXT    NOT NULL UNIQUE,
        created_at       INTEGER NOT NULL,
        attempts         INTEGER NOT NULL DEFAULT 0,
        last_error       TEXT,
        -- NULL parks the row: the server rejected it and retrying cannot help.
        next_attempt_at  INTEGER DEFAULT 0
      ) STRICT;
      CREATE INDEX outbox_due ON outbox (next_attempt_at, id);

      CREATE TABLE sync_state (
        id             INTEGER PRIMARY KEY CHECK (id = 1),
        last_sync_at   INTEGER,
        last_error     TEXT,
        last_error_at  INTEGER
      ) STRICT;
      INSERT INTO sync_state (id) VALUES (1);

      CREATE TABLE catalog_projects (
        id          TEXT    PRIMARY KEY,
        name        TEXT    NOT NULL,
        fetched_at  INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE catalog_sites (
        id          TEXT    PRIMARY KEY,
        project_id  TEXT    NOT NULL REFERENCES catalog_projects (id) ON DELETE CASCADE,
        name        TEXT    NOT NULL,
        fetched_at  INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE catalog_devices (
        id              TEXT    PRIMARY KEY,
        site_id         TEXT    NOT NULL REFERENCES catalog_sites (id) ON DELETE CASCADE,
        name            TEXT    NOT NULL,
        board           TEXT    NOT NULL,
        hw_rev          TEXT,
        target_version  TEXT,
        fetched_at      INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX catalog_devices_site ON catalog_devices (site_id);

      CREATE TABLE catalog_system_versions (
        project_id    TEXT    NOT NULL REFERENCES catalog_projects (id) ON DELETE CASCADE,
        version       TEXT    NOT NULL,
        bundle_id     TEXT    NOT NULL,
        bundle_size   INTEGER NOT NULL,
        bundle_sha256 TEXT    NOT NULL,
        fetched_at    INTEGER NOT NULL,
        PRIMARY KEY (project_id, version)
      ) STRICT;

      CREATE TABLE bundle_downloads (
        bundle_id     TEXT    PRIMARY KEY,
        partial_path  TEXT    NOT NULL,
        sha256        TEXT    NOT NULL,
        total_size    INTEGER,
        etag          TEXT,
        received      INTEGER NOT NULL DEFAULT 0,
        state         TEXT    NOT NULL CHECK (state IN ('partial', 'complete', 'failed')),
        error         TEXT,
        updated_at    INTEGER NOT NULL
      ) STRICT;
    `);
  },
};
