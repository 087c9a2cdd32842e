/**
 * Fleet rules from the site's catalog (resources/openapi.yaml `Device`, `Site`, `DeviceGroup`):
 * which rule applies to a device, resolved once, here. Pure.
 *
 * - A locked device gets nothing, whatever else it says.
 * - A development device is left alone unless the technician chose it one by one.
 * - The version it should run: its pin (an image version) over its own target, over its group's
 *   target, over the site's target (system versions).
 */
import type { JobDeviceRule } from '../jobs/types';
import type { CatalogDevice, CatalogSite } from '../store/catalog-cache';

export type { JobDeviceRule };

/** Where a device's target system version comes from. */
export type TargetSource = 'device' | 'group' | 'site';

/** The version a device should run: a pinned image version, or a target system version. */
export type VersionRule = { kind: 'pin'; version: string } | { kind: 'target'; version: string; from: TargetSource };

/** The fleet rules that apply to one device. */
export interface DeviceRule {
  /** Why nothing may be installed on it; null when it is not locked. */
  locked: string | null;
  development: boolean;
  /** Null when the catalog sets no version for it. */
  version: VersionRule | null;
}

/** Resolves the rule of one device of the site's list (precedence above). */
export function resolveRule(device: Pick<CatalogDevice, 'targetVersion' | 'group' | 'pinnedVersion' | 'locked' | 'lockReason' | 'development'>, site: Pick<CatalogSite, 'targetVersion' | 'groups'>): DeviceRule {
  const group = device.group ? site.groups?.find((g) => g.id === device.group) : undefined;
  const version: VersionRule | null = device.pinnedVersion
    ? { kind: 'pin', version: device.pinnedVersion }
    : device.targetVersion
      ? { kind: 'target', version: device.targetVersion, from: 'device' }
      : group?.targetVersion
        ? { kind: 'target', version: group.targetVersion, from: 'group' }
        : site.targetVersion
          ? { kind: 'target', version: site.targetVersion, from: 'site' }
          : null;
  return {
    locked: device.locked ? (device.lockReason?.trim() || 'locked in the fleet catalog') : null,
    development: device.development === true,
    version,
  };
}

/** The engine's part of a rule, or null when the rule changes nothing in a job. */
export function jobRuleOf(rule: DeviceRule): JobDeviceRule | null {
  const r: JobDeviceRule = {
    ...(rule.locked !== null ? { locked: rule.locked } : {}),
    ...(rule.development ? { development: true } : {}),
    ...(rule.version?.kind === 'pin' ? { pinnedVersion: rule.version.version } : {}),
  };
  return Object.keys(r).length ? r : null;
}

/** Why the engine leaves a device alone before anything is sent, or null when it may go on. */
export type RuleGate = { end: 'failed'; kind: 'locked'; message: string } | { end: 'cancelled'; kind: 'development-device'; message: string };

/** Applies the lock and the development flag to a device of a job; `oneByOne`: the technician chose it by itself. */
export function gateByRule(rule: JobDeviceRule | undefined, oneByOne: boolean): RuleGate | null {
  if (!rule) return null;
  if (rule.locked !== undefined) return { end: 'failed', kind: 'locked', message: `Locked in the fleet catalog: ${rule.locked}. Nothing was sent.` };
  if (rule.development && !oneByOne) {
    return { end: 'cancelled', kind: 'development-device', message: 'A development device: left alone, nothing was sent. It is updated only when chosen one by one.' };
  }
  return null;
}

/** A short text of the rule for the technician, e.g. "pinned to 1.4.2+0". Null when no rule applies. */
export function describeRule(rule: DeviceRule): string | null {
  const parts: string[] = [];
  if (rule.locked !== null) parts.push(`locked: ${rule.locked}`);
  if (rule.development) parts.push('development device (chosen one by one only)');
  if (rule.version?.kind === 'pin') parts.push(`pinned to ${rule.version.version}`);
  else if (rule.version) parts.push(`target ${rule.version.version} (${rule.version.from})`);
  return parts.length ? parts.join('; ') : null;
}
