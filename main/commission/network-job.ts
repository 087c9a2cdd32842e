import type { JobNetwork, JobPolicy, JobSpec, JobTarget } from '../jobs/types';
import { checkNetworkSettings, settingsText } from './net-settings';

/** What a re-key job is made from; the key is not here (the keychain holds it under `net-key:<projectId>`). */
export interface NetworkJobInput {
  targets: JobTarget[];
  network: JobNetwork;
  technician: string;
  site?: string;
  /** Default: LED confirmation on, 3 retries; `afterRejoin` does not apply to settings. */
  policy?: Partial<JobPolicy>;
}

/** Default policy of a network job. */
export const NETWORK_POLICY: JobPolicy = { ledConfirm: true, retries: 3, afterRejoin: 'confirm' };

/**
 * The {@link JobSpec} of a network (re-key) job: kind `network`, the settings without the key, and
 * a release with no image whose name describes the settings (shown in lists and the CLI).
 */
export function networkJobSpec(input: NetworkJobInput): JobSpec {
  const { projectId, panId, channel, security } = input.network;
  checkNetworkSettings({ panId, channel, security });
  return {
    kind: 'network',
    network: { projectId, panId, channel, security },
    release: { kind: 'image', name: `network ${settingsText({ panId, channel, security })} (project ${projectId})`, components: [] },
    targets: input.targets,
    policy: { ...NETWORK_POLICY, ...input.policy },
    technician: input.technician,
    ...(input.site === undefined ? {} : { site: input.site }),
  };
}
