import type { Migration } from './migration';

/**
 * The batch update journal — `batch_jobs`, `batch_devices`, `batch_events` (one row per
 * transition, numbered per job, UNIQUE (job_id, seq)) — and the append-only `audit_log`.
 * See main/jobs/README.md.
 */
export const jobsAudit: Migration = {
  version: 2,
  name: 'jobs-audit',
  up(db) {
    db.exec(`
      CREATE TABLE batch_jobs (
        id          TEXT    PRIMARY KEY,
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL,
        state       TEXT    NOT NULL CHECK (state IN ('running', 'paused', 'finished', 'cancelled')),
        site        TEXT,
        technician  TEXT    NOT NULL,
        spec        TEXT    NOT NULL CHECK (json_valid(spec))
      ) STRICT;
      CREATE INDEX batch_jobs_state ON batch_jobs (state);

      CREATE TABLE batch_devices (
        job_id        TEXT    NOT NULL REFERENCES batch_jobs (id) ON DELETE CASCADE,
        key           TEXT    NOT NULL,
        link          TEXT    NOT NULL,
        state         TEXT    NOT NULL CHECK (state IN ('discovered', 'in-update-mode', 'verified', 'transferring',
                                'installing', 'rejoined', 'done', 'failed', 'rolled-back', 'cancelled')),
        reason        TEXT,
        reason_kind   TEXT,
        device_id     TEXT,
        board         TEXT,
        from_version  TEXT,
        to_version    TEXT,
        image_sha256  TEXT,
        image_hash    TEXT,
        -- Inside 'installing': NULL, 'test-marked' or 'reset-sent' (a restart re-checks, never re-flashes).
        install_step  TEXT    CHECK (install_step IN ('test-marked', 'reset-sent')),
        attempt       INTEGER NOT NULL DEFAULT 1,
        retries       INTEGER NOT NULL DEFAULT 0,
        paused        INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
        started_at    INTEGER NOT NULL,
        ended_at      INTEGER,
        led_answers   TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(led_answers)),
        PRIMARY KEY (job_id, key)
      ) STRICT;

      CREATE TABLE batch_events (
        id          INTEGER PRIMARY KEY,
        job_id      TEXT    NOT NULL REFERENCES batch_jobs (id) ON DELETE CASCADE,
        seq         INTEGER NOT NULL,
        at          INTEGER NOT NULL,
        device_key  TEXT,
        kind        TEXT    NOT NULL,
        from_state  TEXT,
        to_state    TEXT,
        detail      TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(detail)),
        UNIQUE (job_id, seq)
      ) STRICT;

      CREATE TABLE audit_log (
        id            INTEGER PRIMARY KEY,
        job_id        TEXT    NOT NULL,
        device_key    TEXT    NOT NULL,
        attempt       INTEGER NOT NULL,
        at            INTEGER NOT NULL,
        technician    TEXT    NOT NULL,
        site          TEXT,
        device_id     TEXT,
        board         TEXT,
        from_version  TEXT,
        to_version    TEXT,
        image_sha256  TEXT,
        link          TEXT    NOT NULL,
        started_at    INTEGER NOT NULL,
        duration_ms   INTEGER NOT NULL,
        led_answers   TEXT    NOT NULL CHECK (json_valid(led_answers)),
        result        TEXT    NOT NULL CHECK (result IN ('done', 'failed', 'rolled-back', 'cancelled')),
        reason        TEXT,
        UNIQUE (job_id, device_key, attempt)
      ) STRICT;
      CREATE INDEX audit_site ON audit_log (site, at);
      CREATE INDEX audit_device ON audit_log (device_id, at);

      -- What was done to a customer's devices is never rewritten: journal events and audit rows are append-only.
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TRIGGER batch_events_no_update BEFORE UPDATE ON batch_events BEGIN SELECT RAISE(ABORT, 'job events are append-only'); END;
    `);
  },
};
