/**
 * How the Update and Results screens show a job: the core's device snapshots as DeviceRow models,
 * a name for each device, what to do after each kind of failure, and the summary per board and
 * version. Plain functions over the contract's data; no rules of the engine are decided here.
 */
import type { DeviceSnapshot, JobSnapshot, ProgressFigures } from '../../../preload/api';
import type { DeviceRowModel, LinkType } from './device-view';
import { formatBytes, formatEta, formatRate } from './format';
import { needsAttention, networkStepText } from './network-view';

const GATEWAY_SELF_KEY = 'loopback:gateway-self/';

/** True for a gateway installing its own firmware (key `loopback:gateway-self/<gateway>`), before its devices. */
export function isGatewaySelf(d: Pick<DeviceSnapshot, 'key'>): boolean {
  return d.key.startsWith(GATEWAY_SELF_KEY);
}

/** The link type of a device key (`serial:/dev/ttyACM0`, `loopback:gateway/[<gateway>/]<id>`, `loopback:demo/<id>`). */
export function linkTypeOf(link: string): LinkType {
  if (/^(?:loopback:)?gateway[/:]/.test(link)) return 'gateway';
  // A gateway updating its own firmware does so over its own (serial) link.
  if (link.startsWith(GATEWAY_SELF_KEY)) return 'serial';
  const kind = link.slice(0, link.indexOf(':'));
  if (kind === 'serial' || kind === 'ble' || kind === 'hid' || kind === 'udp') return kind;
  return 'loopback';
}

/** The device's EUI-64: as it reported it, or as the key of a gateway or demo target names it. */
export function deviceIdOf(d: Pick<DeviceSnapshot, 'deviceId' | 'key'>): string | null {
  if (d.deviceId) return d.deviceId;
  // `gateway/<device>`, `gateway/<gateway>/<device>` (several gateways), `gateway-self/<gateway>`, `demo/<device>`.
  const m = /(?:gateway|gateway-self|demo)[/:](?:[0-9a-f]{16}\/)?([0-9a-f]{16})$/.exec(d.key);
  return m ? m[1]! : null;
}

/** A name the technician can match to the box in hand: board and the last four digits of its id. */
export function deviceName(board: string | null | undefined, id: string | null | undefined, fallback = 'Device'): string {
  // A no-break space keeps "…a3f1" with its board when the name wraps.
  const tail = id ? `\u00a0…${id.slice(-4)}` : '';
  return `${board ?? fallback}${tail}`;
}

/** What to do after a failure of each kind; anything else gets the general advice. */
const ADVICE: Readonly<Record<string, string>> = {
  timeout: 'bring the device closer (to the gateway or the laptop), check it is still in update mode, then press Retry failed; the transfer resumes where it stopped',
  'link-closed': 'check the cable or the OTG adapter, put the device in update mode again, then press Retry failed',
  'out-of-range': 'bring the device closer to the gateway, put it in update mode again, then press Retry failed',
  'batch-lost': 'bring the device closer to the gateway, put it in update mode again, then press Retry failed',
  'rejoin-timeout': 'check the LED: if it shows "error", put the device in update mode again and retry; otherwise wait a minute and retry',
  'led-not-confirmed': 'find the device (press Identify), make sure it is the one you hold, then press Retry failed',
  'not-in-update-mode': 'put the device in update mode again (magnet and OTG adapter), then press Retry failed',
  'wrong-board': 'this release has no image for this board: choose the right release, or leave this device out',
  'no-image-for-device': 'this release has no image for this board and hardware revision: choose the right release',
  'wrong-device': 'another device answered on that link: check which device is connected, then collect again',
  'already-up-to-date': 'nothing to do: the device already runs this version',
  'device-busy': 'wait a few seconds, then press Retry failed',
  'device-refused': 'the device refused the image (version or signature rules): check the release for this device',
  'bad-image': 'the image was refused: verify the release again on the Releases screen',
  'rolled-back': 'the new image did not confirm itself; check the release notes for this board, then retry or leave the device out',
  'not-swapped': 'the new image is still pending: the device has no bootloader that swaps it (or the swap did not run); check how this board installs images before retrying',
  'image-state-unknown': 'the device did not say which image runs after its reset: check it with siteflash image list, then retry',
  cancelled: 'press Retry failed if you still want to update it',
  'not-rejoined': 'try what the message says at the device, then press Retry failed',
  'no-field-group': 'this device cannot take network settings over the field group: re-key it by its own tool, or leave it out',
  'net-key-missing': 'store the project\'s network key on the Update screen (New batch), then press Retry failed',
  locked: 'leave it: the fleet catalog locks this device (the reason says why); ask the office to lift the lock first',
  'pinned-version-missing': 'the fleet catalog pins this device to a version this release does not have: choose a release with that version, or leave it out',
  'development-device': 'a development device is updated only when chosen by itself: tick it alone on Collect if it should be updated',
};

/** What the technician should do after a failure of this kind. */
export function adviceFor(reasonKind: string | null): string {
  return (reasonKind && ADVICE[reasonKind]) || 'check the device and its link, then press Retry failed; if it fails again, note the reason for support';
}

/**
 * One device of a job as a DeviceRow shows it; `board` stands in until the device reports its own.
 * In a network job (`network`), the row says the settings step instead of a transfer, and a
 * device that did not rejoin needs attention rather than having failed.
 */
export function toRowModel(d: DeviceSnapshot, board?: string, network = false, listed?: string): DeviceRowModel {
  const ended = isFailed(d);
  const started = d.progress.total > 0;
  const id = deviceIdOf(d);
  return {
    id: id ?? d.key,
    label: deviceName(listed ?? d.board ?? board, id, d.key),
    board: d.board ?? board ?? 'not known yet',
    link: linkTypeOf(d.link),
    state: needsAttention(d) ? 'needs-attention' : d.state,
    ...(network ? { note: networkStepText(d) } : {}),
    // A device the fleet rules left alone says why (nothing went wrong, so it is no failure).
    ...(!network && d.state === 'cancelled' && d.reasonKind === 'development-device' && d.reason ? { note: d.reason } : {}),
    ...(started ? { bytes: d.progress.bytes, total: d.progress.total, rate: d.progress.rate } : {}),
    ...(started && d.progress.etaSeconds !== null ? { etaSeconds: d.progress.etaSeconds } : {}),
    ...(ended ? { failure: { reason: (d.reason ?? 'The update did not complete').replace(/\.$/, ''), action: adviceFor(d.reasonKind).replace(/\.$/, '') } } : {}),
  };
}

/** One line of the results summary: devices of one board that reached one version (or failed). */
export interface SummaryLine {
  board: string;
  /** The version they run now as far as the job knows. */
  version: string;
  /** Devices that received the release (or the settings). */
  done: number;
  /** Devices that already ran the release: nothing was sent. */
  upToDate: number;
  failed: number;
  other: number;
}

/** Devices per board and resulting version: done ones under the new version, the rest under their old one. */
export function summarize(job: JobSnapshot): SummaryLine[] {
  const lines = new Map<string, SummaryLine>();
  for (const d of job.devices) {
    const board = d.board ?? 'unknown board';
    const version = (d.state === 'done' ? d.toVersion : d.fromVersion) ?? 'unknown';
    const key = `${board}\u0000${version}`;
    const line = lines.get(key) ?? { board, version, done: 0, upToDate: 0, failed: 0, other: 0 };
    if (d.state === 'done' && d.reasonKind === 'already-up-to-date') line.upToDate += 1;
    else if (d.state === 'done') line.done += 1;
    else if (isFailed(d)) line.failed += 1;
    else line.other += 1;
    lines.set(key, line);
  }
  return [...lines.values()].sort((a, b) => a.board.localeCompare(b.board) || a.version.localeCompare(b.version));
}

/** A device that failed: failed, or rolled back to its old image. */
export function isFailed(d: Pick<DeviceSnapshot, 'state'>): boolean {
  return d.state === 'failed' || d.state === 'rolled-back';
}

/** A device that reached an end: done, failed, rolled back or cancelled. */
export function isEnded(d: Pick<DeviceSnapshot, 'state'>): boolean {
  return d.state === 'done' || d.state === 'cancelled' || isFailed(d);
}

/** True once every device of the job reached an end state. */
export function isSettled(job: JobSnapshot): boolean {
  return job.devices.every(isEnded);
}

/** The devices' transfer figures added up (the job's own figures cover running devices only). */
export function sumProgress(devices: readonly DeviceSnapshot[]): ProgressFigures {
  let bytes = 0;
  let total = 0;
  let rate = 0;
  for (const d of devices) {
    bytes += d.progress.bytes;
    total += d.progress.total;
    rate += d.progress.rate;
  }
  return { bytes, total, rate, etaSeconds: rate > 0 ? (total - bytes) / rate : null };
}

/** Devices that ended done: those that received the release, and those that already ran it (nothing sent). */
export function doneCounts(devices: readonly Pick<DeviceSnapshot, 'state' | 'reasonKind'>[]): { updated: number; upToDate: number } {
  const done = devices.filter((d) => d.state === 'done');
  const upToDate = done.filter((d) => d.reasonKind === 'already-up-to-date').length;
  return { updated: done.length - upToDate, upToDate };
}

/** "3 of 5 updated, already up to date (2)"; a batch where nothing needed sending says only "already up to date (n)". */
export function firmwareOutcome(devices: readonly Pick<DeviceSnapshot, 'state' | 'reasonKind'>[]): string {
  const { updated, upToDate } = doneCounts(devices);
  const parts = updated > 0 || upToDate === 0 ? [`${updated} of ${devices.length} updated`] : [];
  if (upToDate > 0) parts.push(`already up to date (${upToDate})`);
  return parts.join(', ');
}

/** Devices that reached an end (done, failed, rolled back, cancelled): overall progress counts every device of the job from the start. */
export function endedCount(devices: readonly Pick<DeviceSnapshot, 'state'>[]): number {
  return devices.filter(isEnded).length;
}

/**
 * The words under a job's bar: the devices finished out of all of them, then what is on the wire.
 * A time left is given only when every device not yet ended has its transfer under way: while others
 * still wait (behind their gateway's own update, in the queue), the time of the transfers under way
 * would read as the job's, so it says how many have not started instead.
 */
export function overallDetail(job: Pick<JobSnapshot, 'devices' | 'progress'>): string {
  const { devices } = job;
  const failed = devices.filter(isFailed).length;
  const head = `${endedCount(devices)} of ${devices.length} devices finished${failed ? ` (${failed} failed)` : ''}`;
  // The core's job figures cover running devices only; once they are done, sum what the rows show.
  const overall = job.progress.total > 0 ? job.progress : sumProgress(devices);
  if (overall.total === 0) return `${head} · no transfer started yet`;
  if (devices.every(isEnded)) return `${head} · ${formatBytes(overall.bytes)} sent`;
  const wire = `${formatBytes(overall.bytes)} of ${formatBytes(overall.total)} started · ${formatRate(overall.rate)}`;
  const waiting = devices.filter((d) => !isEnded(d) && d.progress.total === 0).length;
  return waiting > 0 ? `${head} · ${wire} · ${waiting} not started yet` : `${head} · ${wire} · ${formatEta(overall.etaSeconds)} left`;
}
