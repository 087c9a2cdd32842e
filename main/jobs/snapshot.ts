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
  const devices = rows.map((r) => deviceSnapshot(r, live));
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

function deviceSnapshot(r: DeviceRow, live: LiveView): DeviceSnapshot {
  const seen = live.progress(r.key);
  // A device past its transfer has all its bytes, whether or not this process sent them.
  const past = r.state === 'installing' || r.state === 'rejoined' || (r.state === 'done' && r.reasonKind !== 'already-up-to-date');
  const progress = seen ?? NO_PROGRESS;
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
    progress: past && progress.total > 0 ? { ...progress, bytes: progress.total, rate: 0, etaSeconds: 0 } : progress,
    ledPrompt: live.ledPrompt(r.key),
    ledAnswers: r.ledAnswers,
  };
}
