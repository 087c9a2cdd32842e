import type { PreflightCheck } from '../../preload/api';
import { line } from './check';

/** How far the laptop may be from the cloud's time before the audit's times are doubtful. */
export const MAX_CLOUD_SKEW_MS = 5 * 60_000;
/** Slack for "not before": a clock corrected by NTP may step back a little. */
const SLACK_MS = 60_000;

/** The times the clock is compared with; null where not known. */
export interface ClockInputs {
  now: number;
  /** When this build of siteflash was made. */
  builtAt: number | null;
  /** The newest time in the journal (job events and audit rows). */
  newestJournalAt: number | null;
  /** The last completed cloud sync. */
  lastSyncAt: number | null;
  /** Laptop time minus the cloud's time, measured when last online. */
  cloudOffsetMs: number | null;
}

const at = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');

/**
 * The clock stamps every audit row: it must not be before this build, the newest journal entry or
 * the last sync, and should be within {@link MAX_CLOUD_SKEW_MS} of the cloud's time when last online.
 */
export function checkClock(i: ClockInputs): PreflightCheck {
  const title = 'Clock set right';
  const fix = 'Set the date and time of this computer (on Linux: timedatectl set-ntp true while online, or sudo timedatectl set-time "YYYY-MM-DD HH:MM:SS"); every audit row is stamped with this clock.';
  const now = `The clock says ${at(i.now)}`;
  if (i.builtAt !== null && i.now < i.builtAt - SLACK_MS) return line('clock', title, 'fail', `${now}, before this version of siteflash was built (${at(i.builtAt)}).`, fix);
  if (i.newestJournalAt !== null && i.now < i.newestJournalAt - SLACK_MS) return line('clock', title, 'fail', `${now}, before the newest entry of the journal (${at(i.newestJournalAt)}).`, fix);
  if (i.lastSyncAt !== null && i.now < i.lastSyncAt - SLACK_MS) return line('clock', title, 'fail', `${now}, before the last cloud sync (${at(i.lastSyncAt)}).`, fix);
  if (i.cloudOffsetMs !== null && Math.abs(i.cloudOffsetMs) > MAX_CLOUD_SKEW_MS) {
    const min = Math.round(Math.abs(i.cloudOffsetMs) / 60_000);
    return line('clock', title, 'warn', `${now}: ${min} minutes ${i.cloudOffsetMs > 0 ? 'ahead of' : 'behind'} the cloud's time when last online.`, fix);
  }
  const compared = [i.builtAt !== null && 'the build date', i.newestJournalAt !== null && 'the newest journal entry', i.lastSyncAt !== null && 'the last sync'].filter(Boolean);
  const cloud = i.cloudOffsetMs === null ? " Not compared with the cloud's time (none measured yet)." : ` Within ${Math.round(MAX_CLOUD_SKEW_MS / 60_000)} minutes of the cloud's time when last online.`;
  return line('clock', title, 'ok', `${now}${compared.length ? `, not before ${compared.join(', ')}` : ''}.${cloud}`);
}
