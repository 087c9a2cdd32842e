/**
 * Which image of a bundle goes to which device (DESIGN.md: the `verified` state — image fits
 * board, hardware revision and version rules). Pure.
 *
 * Version order: (major, minor, revision) first, as MCUboot; equal triples are ordered by build
 * (see version.ts), so the same triple with a lower build is a downgrade and an equal build is
 * already up to date.
 */
import type { BundleComponent } from './bundle-manifest';
import { compareVersions, formatVersion, parseVersion } from './version';

/** One image slot as the device reports it (SMP image state). */
export interface DeviceSlot {
  slot: number;
  version: string;
  /** Hash TLV of the image in the slot, hex. */
  hash?: string;
  /** `null` or absent: the device did not say. */
  active?: boolean | null;
  pending?: boolean | null;
  confirmed?: boolean | null;
}

/** What siteflash knows of the device. */
export interface DeviceFacts {
  board: string;
  hwRev: string;
  /** Running version, e.g. `1.2.3` or `1.2.3.4` (SMP) or `1.2.3+4`. */
  version: string;
  /** The device's stored security counter, when it reports one. */
  securityCounter?: number;
  slots?: DeviceSlot[];
  /** Size of the slot the image is written to, when known. */
  slotSize?: number;
}

/** Why no image is sent. */
export type SelectRefusal =
  | 'incompatible-board'
  | 'unsupported-hw-revision'
  | 'downgrade'
  | 'security-counter-lower'
  | 'already-up-to-date'
  | 'not-upgradable-from'
  | 'image-too-large'
  | 'unknown-device-version';

/** The component to send, or a refusal with a reason a technician can read. */
export type Selection =
  | { ok: true; component: BundleComponent; notes: string[] }
  | { ok: false; reason: SelectRefusal; message: string; component?: BundleComponent };

/** Exceptions the technician asked for explicitly. */
export interface SelectOptions {
  /** Install an older version than the device runs (the security counter and the other rules still apply). */
  allowDowngrade?: boolean;
}

/** Picks the bundle component for a device, applying board, hardware, version and counter rules. */
export function selectImage(device: DeviceFacts, bundle: { components: readonly BundleComponent[] }, options: SelectOptions = {}): Selection {
  const forBoard = bundle.components.filter((c) => c.board === device.board);
  if (forBoard.length === 0) {
    const boards = [...new Set(bundle.components.map((c) => c.board))].join(', ');
    return { ok: false, reason: 'incompatible-board', message: `This system version has no image for board ${device.board} (it has: ${boards}).` };
  }
  const forHw = forBoard.filter((c) => c.hwRevisions.includes(device.hwRev));
  if (forHw.length === 0) {
    const revs = [...new Set(forBoard.flatMap((c) => c.hwRevisions))].join(', ');
    return { ok: false, reason: 'unsupported-hw-revision', message: `No image for ${device.board} hardware revision ${device.hwRev} (supported: ${revs}).` };
  }
  const current = parseVersion(device.version);
  if (!current) return { ok: false, reason: 'unknown-device-version', message: `The device reports version "${device.version}", which is not a version siteflash can compare.` };
  const component = forHw.reduce((best, c) => (compareVersions(ver(c), ver(best)) > 0 ? c : best));
  const target = ver(component);
  const refuse = (reason: SelectRefusal, message: string): Selection => ({ ok: false, reason, message, component });

  const active = device.slots?.find((s) => s.active);
  const order = compareVersions(target, current);
  if (order === 0 || (active?.hash !== undefined && active.hash === component.imageHash)) {
    return refuse('already-up-to-date', `The device already runs ${formatVersion(current)}.`);
  }
  if (order < 0 && options.allowDowngrade !== true) return refuse('downgrade', `The device runs ${formatVersion(current)}, newer than ${component.version} in this system version.`);
  const deviceCounter = device.securityCounter ?? 0;
  const imageCounter = component.securityCounter ?? 0;
  if (imageCounter < deviceCounter) {
    return refuse('security-counter-lower', `The image's security counter ${imageCounter} is lower than the device's ${deviceCounter}; its bootloader would refuse it.`);
  }
  const min = component.rules?.minUpgradeFrom;
  const minV = min ? parseVersion(min) : null;
  if (minV && compareVersions(current, minV) < 0) {
    return refuse('not-upgradable-from', `${component.version} can only be installed over ${min} or later; the device runs ${formatVersion(current)}. Install an intermediate release first.`);
  }
  if (device.slotSize !== undefined && component.size > device.slotSize) {
    return refuse('image-too-large', `The image is ${component.size} bytes; the device's slot holds ${device.slotSize}.`);
  }
  const notes: string[] = [];
  const staged = device.slots?.find((s) => !s.active && s.hash === component.imageHash);
  if (staged) notes.push(`The image is already in slot ${staged.slot}${staged.pending ? ' (pending)' : ''}.`);
  return { ok: true, component, notes };
}

function ver(c: BundleComponent) {
  return parseVersion(c.version) ?? { major: 0, minor: 0, revision: 0, build: 0 };
}
