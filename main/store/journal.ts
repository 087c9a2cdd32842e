import { SiteflashError } from '../errors';
import { assertTransition, isEnd } from '../jobs/state-machine';
import type { DeviceSnapshot, DeviceState, JobSpec, JobState, LedAnswer } from '../jobs/types';
import { AuditLog, type AuditEntry } from './audit';
import { linkRow, recordHead } from './audit-chain';
import type { Db } from './db-type';
import { Outbox } from './outbox';

/** A job as the journal holds it. */
export interface JobRow {
  id: string;
  createdAt: number;
  updatedAt: number;
  state: JobState;
  site: string | null;
  technician: string;
  spec: JobSpec;
}

/** Inside `installing`: how far the install went before the last write (a restart re-checks from here). */
export type InstallStep = 'test-marked' | 'reset-sent';

/**
 * A device of a job as the journal holds it: the facts its {@link DeviceSnapshot} shows (typed
 * once, there), plus what only the journal keeps for resuming and the audit log.
 */
export interface DeviceRow
  extends Pick<DeviceSnapshot, 'key' | 'link' | 'state' | 'reason' | 'reasonKind' | 'deviceId' | 'board' | 'fromVersion' | 'toVersion' | 'paused' | 'retries' | 'attempt' | 'ledAnswers'> {
  jobId: string;
  imageSha256: string | null;
  imageHash: string | null;
  installStep: InstallStep | null;
  startedAt: number;
  endedAt: number | null;
}

/** Fields a transition or event may set on the device row. */
export type DevicePatch = Partial<
  Pick<DeviceRow, 'reason' | 'reasonKind' | 'deviceId' | 'board' | 'fromVersion' | 'toVersion' | 'imageSha256' | 'imageHash' | 'installStep' | 'retries' | 'paused' | 'ledAnswers'>
>;

/** One journal event row; `seq` is 1, 2, 3, … per job (UNIQUE (job_id, seq)). */
export interface JournalEvent {
  jobId: string;
  seq: number;
  at: number;
  deviceKey: string | null;
  /** `job-created`, `state`, `retry`, `led`, `install-step`, `pause`, `resume`, `job-state`, … */
  kind: string;
  from: string | null;
  to: string | null;
  detail: Record<string, unknown>;
}

const COLUMNS: Record<keyof DevicePatch, string> = {
  reason: 'reason',
  reasonKind: 'reason_kind',
  deviceId: 'device_id',
  board: 'board',
  fromVersion: 'from_version',
  toVersion: 'to_version',
  imageSha256: 'image_sha256',
  imageHash: 'image_hash',
  installStep: 'install_step',
  retries: 'retries',
  paused: 'paused',
  ledAnswers: 'led_answers',
};

/**
 * The durable job journal. Every change is one SQLite transaction that updates the device row and
 * appends an event with the job's next sequence number; a device's end also appends its audit row
 * and queues it in the outbox, in the same commit. Callers emit to the UI only after a method
 * returned (the commit happened).
 */
export class JobJournal {
  readonly audit: AuditLog;
  private readonly outbox: Outbox;
  private readonly insertEvent;
  private readonly nextSeq;

  constructor(
    private readonly db: Db,
    /** Epoch ms. */
    private readonly now: () => number = Date.now,
  ) {
    this.audit = new AuditLog(db);
    this.outbox = new Outbox(db);
    this.insertEvent = db.prepare(
      `INSERT INTO batch_events (job_id, seq, at, device_key, kind, from_state, to_state, detail, prev_hash, row_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.nextSeq = db.prepare('SELECT coalesce(max(seq), 0) + 1 AS n FROM batch_events WHERE job_id = ?');
  }

  /** Records a new job and its devices (all `discovered`). */
  createJob(id: string, spec: JobSpec, devices: readonly { key: string; link: string }[]): void {
    const at = this.now();
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO batch_jobs (id, created_at, updated_at, state, site, technician, spec) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(id, at, at, 'running', spec.site ?? null, spec.technician, JSON.stringify(spec));
      const add = this.db.prepare('INSERT INTO batch_devices (job_id, key, link, state, started_at) VALUES (?, ?, ?, ?, ?)');
      for (const d of devices) add.run(id, d.key, d.link, 'discovered', at);
      this.event(id, null, 'job-created', null, 'running', { devices: devices.length });
    })();
  }

  /**
   * Moves a device to `to` (checked against the transition table), applying `patch`. Reaching an
   * end writes the audit row and its outbox item; leaving an end (a retry) starts the next attempt.
   * Returns the event's sequence number and the row after the change.
   */
  transition(jobId: string, key: string, to: DeviceState, patch: DevicePatch = {}, detail: Record<string, unknown> = {}): { seq: number; from: DeviceState; row: DeviceRow } {
    return this.db.transaction(() => {
      const before = this.mustDevice(jobId, key);
      assertTransition(before.state, to);
      const at = this.now();
      const restart = isEnd(before.state);
      this.apply(jobId, key, patch, {
        state: to,
        ended_at: isEnd(to) ? at : null,
        ...(restart ? { attempt: before.attempt + 1, started_at: at, retries: 0, reason: null, reason_kind: null, install_step: null, led_answers: '[]' } : {}),
      });
      const seq = this.event(jobId, key, 'state', before.state, to, { ...detail, ...(patch.reason ? { reason: patch.reason, reasonKind: patch.reasonKind ?? null } : {}) });
      const row = this.mustDevice(jobId, key);
      if (isEnd(to)) this.writeAudit(row, at);
      return { seq, from: before.state, row };
    })();
  }

  /** Appends an event that is not a state change (retry, LED answer, install step, pause), with an optional patch. */
  record(jobId: string, key: string | null, kind: string, detail: Record<string, unknown> = {}, patch: DevicePatch = {}): number {
    return this.db.transaction(() => {
      if (key !== null) this.apply(jobId, key, patch, {});
      return this.event(jobId, key, kind, null, null, detail);
    })();
  }

  /** Sets the job's state (running, paused, finished, cancelled). */
  setJobState(jobId: string, state: JobState): number {
    return this.db.transaction(() => {
      const job = this.job(jobId);
      if (!job) throw new SiteflashError('job-not-found', `There is no job ${jobId}.`);
      this.db.prepare('UPDATE batch_jobs SET state = ?, updated_at = ? WHERE id = ?').run(state, this.now(), jobId);
      return this.event(jobId, null, 'job-state', job.state, state, {});
    })();
  }

  job(id: string): JobRow | undefined {
    const r = this.db.prepare('SELECT * FROM batch_jobs WHERE id = ?').get(id) as RawJob | undefined;
    return r && jobFromRaw(r);
  }

  /** Every job, newest first. */
  jobs(): JobRow[] {
    return (this.db.prepare('SELECT * FROM batch_jobs ORDER BY created_at DESC, rowid DESC').all() as RawJob[]).map(jobFromRaw);
  }

  /** Jobs a restart must pick up again (running or paused). */
  unfinished(): JobRow[] {
    return (this.db.prepare("SELECT * FROM batch_jobs WHERE state IN ('running', 'paused') ORDER BY created_at").all() as RawJob[]).map(jobFromRaw);
  }

  devices(jobId: string): DeviceRow[] {
    return (this.db.prepare('SELECT * FROM batch_devices WHERE job_id = ? ORDER BY rowid').all(jobId) as RawDevice[]).map(deviceFromRaw);
  }

  device(jobId: string, key: string): DeviceRow | undefined {
    const r = this.db.prepare('SELECT * FROM batch_devices WHERE job_id = ? AND key = ?').get(jobId, key) as RawDevice | undefined;
    return r && deviceFromRaw(r);
  }

  /** The job's events in order. */
  events(jobId: string): JournalEvent[] {
    const rows = this.db.prepare('SELECT * FROM batch_events WHERE job_id = ? ORDER BY seq').all(jobId) as RawEvent[];
    return rows.map((r) => ({ jobId: r.job_id, seq: r.seq, at: r.at, deviceKey: r.device_key, kind: r.kind, from: r.from_state, to: r.to_state, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  }

  private mustDevice(jobId: string, key: string): DeviceRow {
    const row = this.device(jobId, key);
    if (!row) throw new SiteflashError('job-device-not-found', `Job ${jobId} has no device ${key}.`, false);
    return row;
  }

  private apply(jobId: string, key: string, patch: DevicePatch, extra: Record<string, string | number | null>): void {
    const sets: Record<string, string | number | null> = { ...extra };
    for (const [k, v] of Object.entries(patch) as [keyof DevicePatch, DevicePatch[keyof DevicePatch]][]) {
      if (v === undefined) continue;
      sets[COLUMNS[k]] = k === 'ledAnswers' ? JSON.stringify(v) : k === 'paused' ? (v ? 1 : 0) : (v as string | number | null);
    }
    const cols = Object.keys(sets);
    if (cols.length === 0) return;
    // Column names come from COLUMNS and the fixed extras above, never from callers' strings.
    this.db.prepare(`UPDATE batch_devices SET ${cols.map((c) => `${c} = @${c}`).join(', ')} WHERE job_id = @jobId AND key = @key`).run({ ...sets, jobId, key });
    this.db.prepare('UPDATE batch_jobs SET updated_at = ? WHERE id = ?').run(this.now(), jobId);
  }

  private event(jobId: string, key: string | null, kind: string, from: string | null, to: string | null, detail: Record<string, unknown>): number {
    const seq = (this.nextSeq.get(jobId) as { n: number }).n;
    const at = this.now();
    const text = JSON.stringify(detail);
    // Chained like the audit log (main/store/README.md "Hash chains"); callers already hold a transaction.
    const link = linkRow(this.db, 'events', { job_id: jobId, seq, at, device_key: key, kind, from_state: from, to_state: to, detail: text });
    const id = Number(this.insertEvent.run(jobId, seq, at, key, kind, from, to, text, link.prevHash, link.rowHash).lastInsertRowid);
    recordHead(this.db, 'events', { id, hash: link.rowHash });
    return seq;
  }

  private writeAudit(row: DeviceRow, at: number): void {
    const job = this.job(row.jobId);
    if (!job) return;
    const entry: AuditEntry = {
      jobId: row.jobId,
      deviceKey: row.key,
      attempt: row.attempt,
      at,
      technician: job.technician,
      site: job.site,
      deviceId: row.deviceId,
      board: row.board,
      fromVersion: row.fromVersion,
      toVersion: row.toVersion,
      imageSha256: row.imageSha256,
      link: row.link,
      startedAt: row.startedAt,
      durationMs: Math.max(0, at - row.startedAt),
      ledAnswers: row.ledAnswers,
      result: row.state as AuditEntry['result'],
      reason: row.reason,
    };
    const link = this.audit.append(entry);
    this.outbox.enqueue('audit', { type: 'device-update', ...entry, chain: link }, `audit:${row.jobId}:${row.key}:${row.attempt}`, at);
  }
}

interface RawJob {
  id: string;
  created_at: number;
  updated_at: number;
  state: JobState;
  site: string | null;
  technician: string;
  spec: string;
}

interface RawDevice {
  job_id: string;
  key: string;
  link: string;
  state: DeviceState;
  reason: string | null;
  reason_kind: string | null;
  device_id: string | null;
  board: string | null;
  from_version: string | null;
  to_version: string | null;
  image_sha256: string | null;
  image_hash: string | null;
  install_step: InstallStep | null;
  attempt: number;
  retries: number;
  paused: number;
  started_at: number;
  ended_at: number | null;
  led_answers: string;
}

interface RawEvent {
  job_id: string;
  seq: number;
  at: number;
  device_key: string | null;
  kind: string;
  from_state: string | null;
  to_state: string | null;
  detail: string;
}

function jobFromRaw(r: RawJob): JobRow {
  return { id: r.id, createdAt: r.created_at, updatedAt: r.updated_at, state: r.state, site: r.site, technician: r.technician, spec: JSON.parse(r.spec) as JobSpec };
}

function deviceFromRaw(r: RawDevice): DeviceRow {
  return {
    jobId: r.job_id,
    key: r.key,
    link: r.link,
    state: r.state,
    reason: r.reason,
    reasonKind: r.reason_kind,
    deviceId: r.device_id,
    board: r.board,
    fromVersion: r.from_version,
    toVersion: r.to_version,
    imageSha256: r.image_sha256,
    imageHash: r.image_hash,
    installStep: r.install_step,
    attempt: r.attempt,
    retries: r.retries,
    paused: r.paused === 1,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    ledAnswers: JSON.parse(r.led_answers) as LedAnswer[],
  };
}
