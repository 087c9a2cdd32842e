/**
 * How the History screen words a device action run from the device details (erase a slot, confirm
 * an image, reset) rather than a job: the core audits it under a job id `action-<uuid>` with the
 * action first in its reason (`image erase slot 1: …`) and the slot's version as `fromVersion`.
 */

import type { AuditEntry } from '../../../preload/api';

export function isDeviceAction(e: Pick<AuditEntry, 'jobId'>): boolean {
  return e.jobId.startsWith('action-');
}

/** `image erase slot 1 (1.1.0+0)`: the action and the version in the slot it concerned. */
export function actionChangeText(e: Pick<AuditEntry, 'reason' | 'fromVersion'>): string {
  const what = e.reason?.split(':')[0] || 'Device action';
  return e.fromVersion ? `${what} (${e.fromVersion})` : what;
}
