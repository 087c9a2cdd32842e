import { randomUUID } from 'node:crypto';
import type { AuditEntry } from '../jobs/types';
import { AuditLog } from './audit';
import type { Db } from './db-type';
import { Outbox } from './outbox';

/** One action the technician ran on one device outside a job (erase a slot, confirm an image, reset). */
export interface DeviceActionRecord {
  /** What was asked, e.g. `image erase slot 1`; the row's reason starts with it. */
  action: string;
  /** Link id, e.g. `serial:/dev/ttyACM0`. */
  link: string;
  technician: string;
  site: string | null;
  deviceId: string | null;
  board: string | null;
  /** The version in the slot acted on (before), and what the device lists there afterwards. */
  fromVersion: string | null;
  toVersion: string | null;
  /** True only when the device accepted the request. */
  done: boolean;
  /** What the device showed or why it refused. */
  message: string;
  startedAt: number;
  at: number;
}

/**
 * Writes a device action's audit row and its outbox item in one commit, like a job device's end
 * (main/store/journal.ts): the row joins the same hash chain, so the cloud sees no gap. The row's
 * job id is `action-<uuid>`: an action belongs to no job.
 */
export function recordDeviceAction(db: Db, r: DeviceActionRecord): AuditEntry {
  const entry: AuditEntry = {
    jobId: `action-${randomUUID()}`,
    deviceKey: r.link,
    attempt: 1,
    at: r.at,
    technician: r.technician,
    site: r.site,
    deviceId: r.deviceId,
    board: r.board,
    fromVersion: r.fromVersion,
    toVersion: r.toVersion,
    imageSha256: null,
    link: r.link,
    startedAt: r.startedAt,
    durationMs: Math.max(0, r.at - r.startedAt),
    ledAnswers: [],
    result: r.done ? 'done' : 'failed',
    reason: `${r.action}: ${r.message}`,
  };
  db.transaction(() => {
    const chain = new AuditLog(db).append(entry);
    new Outbox(db).enqueue('audit', { type: 'device-action', ...entry, chain }, `audit:${entry.jobId}:${entry.deviceKey}:1`, r.at);
  })();
  return entry;
}
