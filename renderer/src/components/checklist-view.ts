/**
 * The words of the site's checklist (SiteChecklist.svelte): why a device of the list is still to
 * do, and the rules worth a word beside it.
 */
import type { SiteListDevice } from '../../../preload/api';

/** Why a device is still to do, in a few words. */
export function toDoReason(d: SiteListDevice): string {
  if (d.rule?.locked) return `locked: ${d.rule.locked}`;
  // A development device is left alone by design (a job chosen in bulk cancels it), whether or not it was tried.
  if (d.rule?.development && d.last?.result !== 'done') return `development device: left alone until ticked by itself${d.heard ? '' : ' (not heard yet)'}`;
  if (d.last === null) return d.heard ? 'heard, not updated yet' : 'not heard yet';
  if (d.last.result === 'done') return `runs ${d.last.version ?? 'another version'}${d.expectedVersion ? `, should run ${d.expectedVersion}` : ''}`;
  return `last try ${d.last.result === 'rolled-back' ? 'rolled back' : 'failed'}${d.last.reason ? `: ${d.last.reason.replace(/\.$/, '')}` : ''}`;
}

/** The rules worth a word beside the reason: a pin, a development flag the reason does not already say, or the version it should get. */
export function toDoRules(d: SiteListDevice): string[] {
  if (d.rule?.locked) return [];
  if (d.last !== null && d.last.result !== 'done') return [];
  if (d.rule?.pinnedVersion) return [`pinned to ${d.rule.pinnedVersion}`];
  if (d.rule?.development) return d.last?.result === 'done' ? ['development device'] : [];
  return d.expectedVersion && d.last?.result !== 'done' ? [`to ${d.expectedVersion}`] : [];
}
