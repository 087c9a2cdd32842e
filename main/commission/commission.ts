import { deviceKeyOf, type JobsService } from '../jobs/jobs-service';
import type { JobDeviceRule, JobPolicy, JobRelease, JobSnapshot, JobSpec, JobTarget } from '../jobs/types';
import { networkJobSpec, type NetworkJobInput } from './network-job';

/** First-time commissioning: the project's network settings, then its system version, on the same devices. */
export interface CommissionInput extends NetworkJobInput {
  /** The project's system version (a verified image or bundle, main/image). */
  release: JobRelease;
  /** Policy of the firmware phase (default: the network phase's, confirming the new image). */
  firmwarePolicy?: JobPolicy;
  /** The site list's fleet rules, applied by the firmware phase as by any firmware job (a locked device is not flashed). */
  rules?: Record<string, JobDeviceRule>;
  /** Orders the firmware phase's targets (the core puts a gateway's own update before its devices). */
  arrange?: (targets: JobTarget[]) => JobTarget[];
}

/** How a commissioning visit ended: one job per phase, so one audit row per device and phase. */
export interface CommissionResult {
  network: JobSnapshot;
  /** Absent when no device finished the network phase. */
  firmware?: JobSnapshot;
  /** Device keys that got both phases done. */
  commissioned: string[];
  /** Device keys whose network phase did not end done: they were not given the firmware. */
  skipped: string[];
}

/**
 * Commissions devices in one visit as an ordered pair of jobs on the same targets: first a
 * `network` job (settings written, rejoin proven), then a `firmware` job with the release for
 * every device that finished the network phase. A device that did not rejoin is not flashed: it
 * needs attention first. Cancelling (the signal) cancels whichever phase runs and starts no other.
 */
export async function commission(service: JobsService, input: CommissionInput, signal?: AbortSignal): Promise<CommissionResult> {
  signal?.throwIfAborted();
  const netSpec = networkJobSpec(input);
  const network = await phase(service, netSpec, signal);
  const ok = new Set(network.devices.filter((d) => d.state === 'done').map((d) => d.key));
  const targets = input.targets.filter((t) => ok.has(deviceKeyOf(t.link)));
  const skipped = network.devices.filter((d) => !ok.has(d.key)).map((d) => d.key);
  if (targets.length === 0 || signal?.aborted) return { network, commissioned: [], skipped };
  const firmwareSpec: JobSpec = {
    kind: 'firmware',
    release: input.release,
    targets: input.arrange ? input.arrange(targets) : targets,
    policy: input.firmwarePolicy ?? netSpec.policy,
    technician: input.technician,
    ...(input.site === undefined ? {} : { site: input.site }),
    ...(input.rules && Object.keys(input.rules).length > 0 ? { rules: input.rules } : {}),
  };
  const firmware = await phase(service, firmwareSpec, signal);
  const commissioned = firmware.devices.filter((d) => d.state === 'done').map((d) => d.key);
  return { network, firmware, commissioned, skipped: [...skipped, ...firmware.devices.filter((d) => d.state !== 'done').map((d) => d.key)] };
}

async function phase(service: JobsService, spec: JobSpec, signal: AbortSignal | undefined): Promise<JobSnapshot> {
  const id = service.start(spec);
  const onAbort = () => service.cancel(id);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await service.whenSettled(id);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
