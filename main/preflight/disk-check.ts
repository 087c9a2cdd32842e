import { statfs } from 'node:fs/promises';
import type { PreflightCheck } from '../../preload/api';
import { formatBytes, line } from './check';

/** Room kept for the journal, logs and staged uploads on top of the release bundles (bytes). */
export const JOURNAL_RESERVE = 256 * 1024 * 1024;

/** What the disk check needs: the data folder, and the bundles the visit still has to store there. */
export interface DiskInputs {
  dataDir: string;
  /** Bytes of release bundles the chosen sites need that are not stored yet. */
  bundlesToStore: number;
  /** How many bundles that is, for the words. */
  bundleCount: number;
  /** Free space as the OS reports it (fs.statfs by default). */
  statfs?: (path: string) => Promise<{ bavail: number | bigint; bsize: number | bigint }>;
}

/** Free space in the data folder against what the visit needs: the bundles still to store plus room for the journal. */
export async function checkDisk(i: DiskInputs): Promise<PreflightCheck> {
  const title = 'Disk space in the data folder';
  let free: number;
  try {
    const s = await (i.statfs ?? statfs)(i.dataDir);
    free = Number(s.bavail) * Number(s.bsize);
  } catch (err) {
    return line('disk', title, 'unknown', `The free space of ${i.dataDir} could not be read: ${err instanceof Error ? err.message : String(err)}`, 'Check that the data folder exists and is on a mounted disk.');
  }
  const needed = i.bundlesToStore + JOURNAL_RESERVE;
  const what = i.bundleCount > 0 ? `${i.bundleCount} release ${i.bundleCount === 1 ? 'bundle' : 'bundles'} still to download (${formatBytes(i.bundlesToStore)}) and ${formatBytes(JOURNAL_RESERVE)} for the journal and logs` : `${formatBytes(JOURNAL_RESERVE)} for the journal and logs`;
  const detail = `${formatBytes(free)} free in ${i.dataDir}; needed: ${formatBytes(needed)} (${what}).`;
  const fix = `Free at least ${formatBytes(needed - free > 0 ? needed - free : needed)} on that disk, or move the data folder (SITEFLASH_DATA_DIR) to a bigger one.`;
  if (free < needed) return line('disk', title, 'fail', detail, fix);
  if (free < 2 * needed) return line('disk', title, 'warn', `${detail} Less than twice that is free.`, fix);
  return line('disk', title, 'ok', detail);
}
