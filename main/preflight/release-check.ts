import type { PreflightCheck } from '../../preload/api';
import type { SiteCatalog } from '../store/catalog-cache';
import { line } from './check';

const TITLE = 'The release covers every device';
const PREPARE = 'Prepare the visit while online (Home › Prepare for a visit): it downloads the site\'s device list and the releases its devices need.';

/** A stored release as far as coverage goes: which boards and hardware revisions it has an image for. */
export interface StoredRelease {
  id: string;
  systemVersion: string;
  components: readonly { board: string; hwRevisions: readonly string[] }[];
}

/** A device to be covered: its board and hardware revision (null: not known, any revision of the board). */
export interface DeviceToCover {
  name: string;
  board: string;
  hwRev: string | null;
}

function covers(release: StoredRelease, d: DeviceToCover): boolean {
  return release.components.some((c) => c.board === d.board && (d.hwRev === null || c.hwRevisions.includes(d.hwRev)));
}

/** "sf-meter-m hw 5 (3: Pump 1, Pump 2, …)" per board and revision. */
function grouped(devices: readonly DeviceToCover[]): string {
  const by = new Map<string, string[]>();
  for (const d of devices) {
    const key = `${d.board}${d.hwRev === null ? '' : ` hw ${d.hwRev}`}`;
    by.set(key, [...(by.get(key) ?? []), d.name]);
  }
  return [...by].map(([key, names]) => `${key} (${names.length}: ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''})`).join('; ');
}

/**
 * The visit: every device on the chosen sites' cached device lists must have an image in a stored
 * release — the one carrying its target version, or with no target any of its project's system
 * versions. No site chosen or no list cached: unknown, prepare while online.
 */
export function checkSiteCoverage(siteIds: readonly string[], catalogs: readonly (SiteCatalog | null)[], stored: readonly StoredRelease[]): PreflightCheck {
  const lists = catalogs.filter((c): c is SiteCatalog => c !== null);
  if (siteIds.length === 0) return line('release', TITLE, 'unknown', 'No site is chosen for this visit, so there is no device list to check the releases against.', PREPARE);
  const missing = siteIds.filter((_id, i) => !catalogs[i]);
  if (lists.length === 0) return line('release', TITLE, 'unknown', `No device list is cached for ${siteIds.join(', ')}.`, PREPARE);
  const byId = new Map(stored.map((r) => [r.id, r]));
  const notStored: DeviceToCover[] = [];
  const noImage: DeviceToCover[] = [];
  let total = 0;
  for (const c of lists) {
    for (const d of c.devices) {
      total++;
      const device = { name: d.name || d.id, board: d.board, hwRev: d.hwRev };
      const versions = d.targetVersion === null ? c.systemVersions : c.systemVersions.filter((v) => v.version === d.targetVersion);
      const here = versions.map((v) => byId.get(v.bundle.id)).filter((r): r is StoredRelease => r !== undefined);
      if (here.length === 0) notStored.push(device);
      else if (!here.some((r) => covers(r, device))) noImage.push(device);
    }
  }
  const sites = lists.map((c) => c.site.name).join(', ');
  const unlisted = missing.length > 0 ? ` No device list is cached for ${missing.join(', ')}.` : '';
  if (notStored.length === 0 && noImage.length === 0) {
    return line('release', TITLE, missing.length > 0 ? 'unknown' : 'ok', `${total} ${total === 1 ? 'device' : 'devices'} on ${sites}: every board and hardware revision has an image in a stored release.${unlisted}`, PREPARE);
  }
  const parts = [
    notStored.length > 0 ? `${notStored.length} need a release that is not on this laptop: ${grouped(notStored)}` : '',
    noImage.length > 0 ? `${noImage.length} have no image for their board or hardware revision in their release: ${grouped(noImage)}` : '',
  ].filter(Boolean);
  const fix = [notStored.length > 0 ? PREPARE : '', noImage.length > 0 ? 'Ask the office for a release with an image for these boards and revisions; these devices cannot be updated from this laptop.' : ''].filter(Boolean).join(' ');
  return line('release', TITLE, 'fail', `${notStored.length + noImage.length} of ${total} devices on ${sites} are not covered. ${parts.join('. ')}.${unlisted}`, fix);
}

/** A batch: the chosen release must have an image for each chosen device's board and hardware revision. */
export function checkBatchCoverage(release: StoredRelease | null, bundleId: string, devices: readonly (DeviceToCover | null)[]): PreflightCheck {
  const title = 'The release covers the chosen devices';
  if (!release) return line('release', title, 'fail', `The release ${bundleId} is not stored on this laptop.`, 'Choose another release, or import this one on the Releases screen.');
  const known = devices.filter((d): d is DeviceToCover => d !== null);
  const unknown = devices.length - known.length;
  const uncovered = known.filter((d) => !covers(release, d));
  const name = `${release.systemVersion} (${release.id})`;
  if (uncovered.length > 0) {
    return line('release', title, 'fail', `${uncovered.length} of ${devices.length} chosen devices have no image in ${name}: ${grouped(uncovered)}.`, 'Choose a release that has images for them, or take them out of this batch on the Collect screen.');
  }
  if (unknown > 0) return line('release', title, 'unknown', `${known.length} of ${devices.length} chosen devices have an image in ${name}; ${unknown} did not say their board (each is checked when it is reached).`, 'Nothing to do now: a device whose board has no image is refused before a byte is sent.');
  return line('release', title, 'ok', `Every chosen device (${devices.length}) has an image for its board and hardware revision in ${name}.`);
}
