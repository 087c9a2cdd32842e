import type { BundleComponent } from '../image/bundle-manifest';
import { selectImage, type SelectOptions } from '../image/select';
import { compareVersions, formatVersion, parseVersion } from '../image/version';
import type { DeviceFacts } from './driver';
import type { JobRelease, ReleaseComponent } from './types';

/** The component for a device, or why none is sent (`upToDate`: nothing to do, not a failure). */
export type Choice = { ok: true; component: ReleaseComponent } | { ok: false; upToDate: boolean; kind: string; message: string };

/**
 * Decides which image of the release fits the device (the `verified` state). A bundle goes through
 * main/image `selectImage` (board, hardware revision, version and counter rules); a single image is
 * checked against the device's board by its board tag.
 */
export function chooseComponent(release: JobRelease, facts: DeviceFacts, options: SelectOptions & { pinnedVersion?: string } = {}): Choice {
  const active = facts.slots.find((s) => s.active);
  // A pinned device (fleet rule) gets the release's image of its pinned version, or nothing.
  if (options.pinnedVersion !== undefined) {
    const pinned = onlyPinned(release, facts, options.pinnedVersion);
    if (!pinned.ok) return pinned;
    release = pinned.release;
  }
  if (release.kind === 'image') {
    const c = release.components[0];
    if (!c) return { ok: false, upToDate: false, kind: 'no-image-for-device', message: 'The job has no image.' };
    if (c.board !== null && facts.board !== undefined && c.board !== facts.board) {
      return { ok: false, upToDate: false, kind: 'wrong-board', message: `The image is for board ${c.board}; this device is a ${facts.board}.` };
    }
    if (active?.hash === c.imageHash) return { ok: false, upToDate: true, kind: 'already-up-to-date', message: `The device already runs ${c.version}.` };
    // The same version rule as a bundle's: an older image is refused unless the technician allowed it.
    const running = parseVersion(facts.version ?? active?.version ?? '');
    const offered = parseVersion(c.version);
    if (running && offered && compareVersions(offered, running) < 0 && options.allowDowngrade !== true) {
      return { ok: false, upToDate: false, kind: 'downgrade', message: `The device runs ${formatVersion(running)}, newer than ${c.version} in this image; nothing is installed without "allow downgrade".` };
    }
    return { ok: true, component: c };
  }
  const version = facts.version ?? active?.version;
  if (facts.board === undefined || version === undefined) {
    return { ok: false, upToDate: false, kind: 'no-image-for-device', message: 'The device does not report its board and version, so no image of the bundle can be chosen for it.' };
  }
  const components = release.components.map(asBundleComponent);
  const selection = selectImage(
    { board: facts.board, hwRev: facts.hwRev ?? '', version, slots: facts.slots.map((s) => ({ slot: s.slot, version: s.version, hash: s.hash, active: s.active, pending: s.pending, confirmed: s.confirmed })) },
    { components },
    options,
  );
  if (selection.ok) {
    const i = components.indexOf(selection.component);
    return { ok: true, component: release.components[i] as ReleaseComponent };
  }
  const kind = selection.reason === 'incompatible-board' ? 'wrong-board' : selection.reason;
  return { ok: false, upToDate: selection.reason === 'already-up-to-date', kind, message: selection.message };
}

/** The release cut down to the images of the pinned version that could fit the device, or the refusal "pinned to X, this release has Y". */
function onlyPinned(release: JobRelease, facts: DeviceFacts, pin: string): { ok: true; release: JobRelease } | Extract<Choice, { ok: false }> {
  const want = parseVersion(pin);
  const fits = release.components.filter((c) => c.board === null || facts.board === undefined || c.board === facts.board);
  const same = fits.filter((c) => {
    const v = parseVersion(c.version);
    return want !== null && v !== null && compareVersions(v, want) === 0;
  });
  if (same.length > 0) return { ok: true, release: { ...release, components: same } };
  const has = [...new Set(fits.map((c) => c.version))].join(', ');
  const what = facts.board ? ` for ${facts.board}` : '';
  return {
    ok: false,
    upToDate: false,
    kind: 'pinned-version-missing',
    message: `Pinned to ${pin}; this release has ${has || `no image${what}`}${has ? what : ''}. Nothing was sent.`,
  };
}

function asBundleComponent(c: ReleaseComponent): BundleComponent {
  return {
    board: c.board ?? '',
    hwRevisions: c.hwRevisions ?? [],
    version: c.version,
    file: 'images/component',
    size: c.size,
    sha256: c.sha256,
    imageHash: c.imageHash,
    ...(c.securityCounter === undefined ? {} : { securityCounter: c.securityCounter }),
    ...(c.minUpgradeFrom === undefined ? {} : { rules: { minUpgradeFrom: c.minUpgradeFrom } }),
  };
}
