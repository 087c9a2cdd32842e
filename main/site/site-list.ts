/**
 * The site's device list as the visit's checklist: which list applies now, which of its
 * devices are done (their latest journaled result at this site shows the expected version), which
 * are still to do, and which devices heard are not on it. The renderer only shows what this counts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FleetRuleInfo, HeardDevice, SiteChecklist, SiteListDevice } from '../../preload/api';
import { DEMO_BOARDS, DEMO_BUNDLE, DEMO_SITE, demoSiteDevices } from '../demo/demo-catalog';
import { MANIFEST_FILE, parseManifest } from '../image/bundle-manifest';
import { compareVersions, parseVersion } from '../image/version';
import type { JobDeviceRule } from '../jobs/types';
import { readSiteCatalog, type SiteCatalog } from '../store/catalog-cache';
import type { Db } from '../store/db-type';
import { describeRule, jobRuleOf, resolveRule, type DeviceRule } from './fleet-rules';

/** A site's list and how to learn which image version one of its devices should end on. */
export interface SiteList {
  catalog: SiteCatalog;
  demo: boolean;
  /** The image version a system version installs on this board and revision; null when its release is not here. */
  imageVersion(systemVersion: string, board: string, hwRev: string | null): string | null;
}

/** What decides the current site: the settings and whether the demo runs. */
export interface SiteChoice {
  siteName: string;
  siteIds: readonly string[];
  demoRunning: boolean;
}

/**
 * The list that applies now: the demo's while the demo site runs; otherwise the prepared site whose
 * name is the site set on Home, or the only prepared site. Null when none applies.
 */
export function currentSiteList(db: Db, bundlesDir: string, choice: SiteChoice): SiteList | null {
  if (choice.demoRunning) return demoSiteList();
  const catalogs = choice.siteIds.map((id) => readSiteCatalog(db, id)).filter((c): c is SiteCatalog => c !== null);
  const named = catalogs.find((c) => choice.siteName !== '' && c.site.name.trim().toLowerCase() === choice.siteName.trim().toLowerCase());
  const catalog = named ?? (catalogs.length === 1 ? catalogs[0] : undefined);
  if (!catalog) return null;
  const manifests = new Map<string, { board: string; hwRevisions: string[]; version: string }[] | null>();
  return {
    catalog,
    demo: false,
    imageVersion(systemVersion, board, hwRev) {
      const bundleId = catalog.systemVersions.find((v) => v.version === systemVersion)?.bundle.id;
      if (!bundleId) return null;
      if (!manifests.has(bundleId)) manifests.set(bundleId, readComponents(join(bundlesDir, bundleId, MANIFEST_FILE)));
      const fits = (manifests.get(bundleId) ?? []).filter((c) => c.board === board && (hwRev === null || c.hwRevisions.includes(hwRev)));
      return newest(fits.map((c) => c.version));
    },
  };
}

/** The demo site's own list; its target is the demo release, whose versions are known without reading it. */
export function demoSiteList(): SiteList {
  const catalog: SiteCatalog = {
    project: { id: DEMO_SITE.projectId, name: DEMO_SITE.projectName },
    site: { id: DEMO_SITE.id, projectId: DEMO_SITE.projectId, name: DEMO_SITE.name, targetVersion: DEMO_BUNDLE.systemVersion, groups: [] },
    devices: demoSiteDevices().map((d) => ({ ...d, siteId: DEMO_SITE.id, targetVersion: null })),
    systemVersions: [],
  };
  return {
    catalog,
    demo: true,
    imageVersion: (systemVersion, board) => (systemVersion === DEMO_BUNDLE.systemVersion ? (DEMO_BOARDS.find((b) => b.board === board)?.releaseVersion ?? null) : null),
  };
}

/** The fleet rules a job applies, by device id: only the devices of the list whose rule changes what a job does. */
export function jobRules(list: SiteList): Record<string, JobDeviceRule> {
  const rules: Record<string, JobDeviceRule> = {};
  for (const d of list.catalog.devices) {
    const r = jobRuleOf(resolveRule(d, list.catalog.site));
    if (r) rules[d.id.toLowerCase()] = r;
  }
  return rules;
}

/** A device's rule as the contract shows it; null when no rule applies. */
export function ruleInfo(rule: DeviceRule): FleetRuleInfo | null {
  const text = describeRule(rule);
  if (text === null) return null;
  return {
    text,
    locked: rule.locked,
    development: rule.development,
    pinnedVersion: rule.version?.kind === 'pin' ? rule.version.version : null,
    target: rule.version?.kind === 'target' ? { version: rule.version.version, from: rule.version.from } : null,
  };
}

type LastResult = NonNullable<SiteListDevice['last']>;

/**
 * Counts the checklist: a device is done when its latest result at one of `siteNames` (cancellations
 * aside: they change nothing on the device) is `done` on the expected image version, or any `done`
 * when the expected version is not known here.
 */
export function checklistOf(db: Db, list: SiteList, siteNames: readonly string[], heard: readonly { id: string }[]): SiteChecklist {
  const latest = latestResults(db, siteNames);
  const heardIds = new Set(heard.map((d) => d.id.toLowerCase()));
  const listed = new Set<string>();
  const devices = list.catalog.devices.map((d): SiteListDevice => {
    const id = d.id.toLowerCase();
    listed.add(id);
    const rule = resolveRule(d, list.catalog.site);
    const expectedVersion = rule.version?.kind === 'pin' ? rule.version.version : rule.version ? list.imageVersion(rule.version.version, d.board, d.hwRev) : null;
    const last = latest.get(id) ?? null;
    const done = last !== null && last.result === 'done' && (expectedVersion === null || sameVersion(last.version, expectedVersion));
    return { id, name: d.name, location: d.location ?? null, board: d.board, hwRev: d.hwRev, rule: ruleInfo(rule), expectedVersion, done, last, heard: heardIds.has(id) };
  });
  const done = devices.filter((d) => d.done).length;
  return {
    siteId: list.catalog.site.id,
    siteName: list.catalog.site.name,
    demo: list.demo,
    total: devices.length,
    done,
    toDo: devices.length - done,
    devices: [...devices.filter((d) => !d.done), ...devices.filter((d) => d.done)],
    notOnList: [...heardIds].filter((id) => !listed.has(id)),
  };
}

/** The devices heard, each with its name, place and rule from the list, or flagged as not on it. */
export function annotateHeard(list: SiteList | null, devices: readonly HeardDevice[]): HeardDevice[] {
  if (!list) return [...devices];
  const byId = new Map(list.catalog.devices.map((d) => [d.id.toLowerCase(), d]));
  return devices.map((h) => {
    const d = byId.get(h.id.toLowerCase());
    if (!d) return { ...h, onList: false };
    const rule = ruleInfo(resolveRule(d, list.catalog.site));
    return { ...h, onList: true, name: d.name, location: d.location ?? null, ...(rule ? { rule } : {}) };
  });
}

/** The latest non-cancelled audit row per device id at these sites. */
function latestResults(db: Db, siteNames: readonly string[]): Map<string, LastResult> {
  const names = [...new Set(siteNames.filter((n) => n !== ''))];
  const out = new Map<string, LastResult>();
  if (names.length === 0) return out;
  const rows = db
    .prepare(
      `SELECT lower(device_id) AS dev, result, to_version AS version, at, reason FROM audit_log
       WHERE device_id IS NOT NULL AND result != 'cancelled' AND site IN (${names.map(() => '?').join(', ')}) ORDER BY audit_log.id ASC`,
    )
      .all(...names) as { dev: string; result: LastResult['result']; version: string | null; at: number; reason: string | null }[];
  for (const r of rows) out.set(r.dev, { result: r.result, version: r.version, at: r.at, reason: r.reason });
  return out;
}

function sameVersion(a: string | null, b: string): boolean {
  const x = a === null ? null : parseVersion(a);
  const y = parseVersion(b);
  return x !== null && y !== null && compareVersions(x, y) === 0;
}

function newest(versions: string[]): string | null {
  let best: string | null = null;
  for (const v of versions) {
    const p = parseVersion(v);
    const q = best === null ? null : parseVersion(best);
    if (p && (!q || compareVersions(p, q) > 0)) best = v;
  }
  return best;
}

function readComponents(path: string): { board: string; hwRevisions: string[]; version: string }[] | null {
  try {
    const parsed = parseManifest(readFileSync(path));
    return parsed.ok ? parsed.manifest.components : null;
  } catch {
    return null;
  }
}
