import type { RadioTimeEstimate } from '../../../../preload/api';

/** What is wrong with the batch settings as typed, or null (the same ranges the core accepts). */
export function batchSettingsError(batchSize: unknown, redundancy: unknown): { field: 'batchSize' | 'redundancy'; message: string } | null {
  if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100) return { field: 'batchSize', message: 'Devices per radio batch: a whole number from 1 to 100.' };
  if (typeof redundancy !== 'number' || !Number.isInteger(redundancy) || redundancy < 0 || redundancy > 100) return { field: 'redundancy', message: 'Redundancy: a whole percent from 0 to 100.' };
  return null;
}

/** A duration in the words of a rough estimate: "under a minute", "about 14 min", "about 2 h 5 min". */
export function aboutDuration(ms: number): string {
  const min = Math.round(ms / 60_000);
  if (ms < 60_000) return 'under a minute';
  if (min < 90) return `about ${min} min`;
  return `about ${Math.floor(min / 60)} h ${min % 60} min`;
}

/** "about 14 min of radio time for 57 devices in 3 batches of 20". */
export function radioTimeText(e: RadioTimeEstimate): string {
  const devices = `${e.devices} ${e.devices === 1 ? 'device' : 'devices'}`;
  const batches = e.batches === 1 ? '1 batch' : `${e.batches} batches`;
  return `${aboutDuration(e.radioMs)} of radio time for ${devices} in ${batches} of ${e.batchSize} (${e.redundancy} % redundancy), before repairs and installs.`;
}
