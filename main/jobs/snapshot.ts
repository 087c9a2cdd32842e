import type { DeviceRow, JobRow } from '../store/journal';
import { sumFigures } from './progress';
import type { DeviceSnapshot, DeviceState, JobSnapshot, LedPrompt, ProgressFigures } from './types';

/** What only the running engine knows (live progress, open LED questions). */
export interface LiveView {
  progress(key: string): ProgressFigures | undefined;
  ledPrompt(key: string): LedPrompt | null;
}

const NO_PROGRESS: ProgressFigures = { bytes: 0, total: 0, rate: 0, etaSeconds: null };

/** A job's snapshot from its journal rows and the live view: plain data, safe to send over IPC. */
export function snapshotOf(job: JobRow, rows: readonly DeviceRow[], live: LiveView): JobSnapshot {
  const sizes = new Map(job.spec.release.components.map((c) => [c.sha256, c.size]));
  const devices = rows.map((r) => deviceSnapshot(r, live, sizes));
  const counts: Partial<Record<DeviceState, number>> = {};
  for (const d of devices) counts[d.state] = (counts[d.state] ?? 0) + 1;
  return {
    id: job.id,
    state: job.state,
    createdAt: job.createdAt,
    technician: job.technician,
    site: job.site,
    release: job.spec.release.name,
    policy: job.spec.policy,
    devices,
    progress: sumFigures(devices.map((d) => d.progress)),
    counts,
  };
}

/**
 * Whether the device holds all of its image: past the transfer (installing, rejoined, rolled back,
 * done by an install), or ended after its install began. Whether or not this process sent the
 * bytes: after a restart, or once the job finished, the live figures are gone.
 */
function hasWholeImage(r: DeviceRow): boolean {
  switch (r.state) {
    case 'installing':
    case 'rejoined':
    case 'rolled-back':
      return true;
    case 'done':
      return r.reasonKind !== 'already-up-to-date';
    case 'failed':
    case 'cancelled':
      return r.installStep !== null;
    default:
      return false;
  }
}

function deviceSnapshot(r: DeviceRow, live: LiveView, sizes: ReadonlyMap<string, number>): DeviceSnapshot {
  const seen = live.progress(r.key);
  const total = seen && seen.total > 0 ? seen.total : ((r.imageSha256 === null ? undefined : sizes.get(r.imageSha256)) ?? 0);
  const progress = hasWholeImage(r) && total > 0 ? { bytes: total, total, rate: 0, etaSeconds: 0 } : (seen ?? NO_PROGRESS);
  return {
    key: r.key,
    link: r.link,
    state: r.state,
    reason: r.reason,
    reasonKind: r.reasonKind,
    deviceId: r.deviceId,
    board: r.board,
    fromVersion: r.fromVersion,
    toVersion: r.toVersion,
    paused: r.paused,
    retries: r.retries,
    attempt: r.attempt,
    progress,
    ledPrompt: live.ledPrompt(r.key),
    ledAnswers: r.ledAnswers,
  };
}
