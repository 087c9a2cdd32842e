import type { NetworkCounts } from '../jobs/types';
import type { JournalEvent } from '../store/journal';

/**
 * How many devices of a network job are on the old and on the new settings, from what each device
 * last reported (the `network-seen` journal events: identity `pan` at connect and after the
 * rejoin). A device that never reported a PAN, or is not heard yet, counts as unknown.
 */
export function networkCounts(newPan: number, deviceKeys: readonly string[], events: readonly JournalEvent[]): NetworkCounts {
  const last = new Map<string, unknown>();
  for (const e of events) if (e.kind === 'network-seen' && e.deviceKey !== null) last.set(e.deviceKey, e.detail.pan);
  const counts: NetworkCounts = { old: 0, new: 0, unknown: 0 };
  for (const key of deviceKeys) {
    const pan = last.get(key);
    if (typeof pan !== 'number') counts.unknown++;
    else if (pan === newPan) counts.new++;
    else counts.old++;
  }
  return counts;
}
