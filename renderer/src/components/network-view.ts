/**
 * How the Update, Results and History screens show network jobs (re-keying) and commissioning:
 * old/new counts in words, the `not-rejoined` end as "needs attention", what each step means for
 * settings, and which firmware job is a commissioning's second phase. Plain functions over the
 * contract's data (main/jobs/README.md "Network jobs").
 */
import type { AuditEntry, DeviceSnapshot, DeviceState, JobSnapshot } from '../../../preload/api';

/** True for a job that writes network settings (the core gives such jobs old/new counts). */
export function isNetworkJob(job: Pick<JobSnapshot, 'network'>): boolean {
  return job.network !== undefined;
}

/** A device of a network job that did not rejoin: the technician has something to try, it is not a plain failure. */
export function needsAttention(d: Pick<DeviceSnapshot, 'state' | 'reasonKind'>): boolean {
  return d.state === 'failed' && d.reasonKind === 'not-rejoined';
}

/** The settings a network job writes, from its release name (`network pan 0xbeef ch 20 aes-ccm-128 (project p)`). */
export function settingsTitle(release: string): string {
  return release.replace(/^network\s+/, '');
}

/** The job's old/new counts as one sentence, e.g. "2 of 3 on the new settings · 1 on the old · 0 not known yet". */
export function networkCountsText(job: Pick<JobSnapshot, 'network' | 'devices'>): string {
  const c = job.network ?? { old: 0, new: 0, unknown: job.devices.length };
  const total = job.devices.length;
  return `${c.new} of ${total} on the new settings · ${c.old} on the old · ${c.unknown} not known yet`;
}

/** What a device's state means in a network job, where nothing is transferred. */
const NETWORK_STEPS: Readonly<Record<DeviceState, string>> = {
  discovered: 'Reading its current settings',
  'in-update-mode': 'Reading its current settings',
  verified: 'Ready to write the settings',
  transferring: 'Writing the settings',
  installing: 'Saving the settings and restarting',
  rejoined: 'Back on the network with the new settings',
  done: 'On the new settings',
  failed: 'Not changed',
  'rolled-back': 'Not changed',
  cancelled: 'Stopped',
};

/** The network step a device is at, in words (the progress column of a network job's row). */
export function networkStepText(d: Pick<DeviceSnapshot, 'state' | 'reasonKind'>): string {
  return needsAttention(d) ? 'Did not rejoin the network' : NETWORK_STEPS[d.state];
}

/**
 * The firmware job that is the second phase of a commissioning whose first phase is `network`:
 * started after it, on devices that all ended its network phase done (main/commission
 * `commission`). The earliest such job; null while there is none.
 */
export function secondPhaseOf(jobs: readonly JobSnapshot[], network: JobSnapshot): JobSnapshot | null {
  const joined = new Set(network.devices.filter((d) => d.state === 'done').map((d) => d.key));
  const candidates = jobs.filter(
    (j) => !isNetworkJob(j) && j.createdAt >= network.createdAt && j.devices.length > 0 && j.devices.every((d) => joined.has(d.key)),
  );
  return candidates.sort((a, b) => a.createdAt - b.createdAt)[0] ?? null;
}

/** Where a commissioning's release phase stands. */
export type ReleasePhase =
  | { state: 'waiting' }
  | { state: 'none'; why: string }
  | { state: 'started'; job: JobSnapshot };

/** The release phase of a commissioning, given its network phase and every job known. */
export function releasePhaseOf(jobs: readonly JobSnapshot[], network: JobSnapshot, networkSettled: boolean): ReleasePhase {
  const job = secondPhaseOf(jobs, network);
  if (job) return { state: 'started', job };
  if (networkSettled && !network.devices.some((d) => d.state === 'done')) {
    return { state: 'none', why: 'no device finished the network settings, so none was given the release' };
  }
  return { state: 'waiting' };
}

/**
 * A network job's from/to text as the core writes it (`pan 0xbeef ch 20 aes-ccm-128`); a device
 * that reported no PAN (`pan ?`, e.g. new from the box) had no network settings yet.
 */
export function settingsValueText(v: string | null): string | null {
  return v !== null && /^pan \?/.test(v) ? 'no network yet' : v;
}

/**
 * What an audit row changed, readable when its versions are empty: a network job's rows carry
 * the settings (or nothing), so the job's release name (which describes the settings) stands in.
 */
export function auditChangeText(e: Pick<AuditEntry, 'fromVersion' | 'toVersion'>, release: string | undefined): string {
  const network = release !== undefined && /^network\s/.test(release);
  if (e.fromVersion !== null || e.toVersion !== null) {
    if (!network) return `${e.fromVersion ?? 'not known'} → ${e.toVersion ?? 'not reached'}`;
    return `Network: ${settingsValueText(e.fromVersion) ?? 'not known'} → ${settingsValueText(e.toVersion) ?? 'not reached'}`;
  }
  if (release !== undefined) return network ? `Network: ${settingsTitle(release)}` : `Release ${release} (versions not recorded)`;
  return 'Not recorded';
}
