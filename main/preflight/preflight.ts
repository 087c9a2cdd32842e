import type { JobTargetRequest, PreflightCheck, PreflightReport, PreflightRequest } from '../../preload/api';
import type { NobleLike } from '../links/ble-noble';
import type { SiteCatalog } from '../store/catalog-cache';
import { checkBluetooth } from './bluetooth-check';
import { worstOf } from './check';
import { checkClock } from './clock-check';
import { checkHid, checkSerial, type DeviceAccessInputs } from './device-access-check';
import { checkDisk } from './disk-check';
import { checkKeychain } from './keychain-check';
import { checkBatchCoverage, checkSiteCoverage, type DeviceToCover, type StoredRelease } from './release-check';

/**
 * Everything the preflight checks read of the world. The core fills it with the real things
 * (preflight-env.ts); tests give a temp dir as the root, their own group list, clock, keychain and
 * noble double.
 */
export interface PreflightEnv extends DeviceAccessInputs {
  noble: NobleLike | (() => Promise<NobleLike>);
  bleTimeoutMs?: number;
  /** A harmless keychain read: the names of siteflash's secrets. */
  keychain: { list(): Promise<readonly string[]> };
  dataDir: string;
  statfs?: (path: string) => Promise<{ bavail: number | bigint; bsize: number | bigint }>;
  now: () => number;
  builtAt: number | null;
  newestJournalAt: () => number | null;
  lastSyncAt: () => number | null;
  cloudOffsetMs: () => number | null;
  /** The sites chosen for the visit, and their cached catalogs. */
  siteIds: () => readonly string[];
  catalog: (siteId: string) => SiteCatalog | null;
  /** Release bundles stored on this laptop. */
  releases: () => Promise<readonly StoredRelease[]>;
  /** What is known of a device chosen for a batch (board, hardware revision), or null. */
  deviceFacts: (target: { link: JobTargetRequest; expectedDeviceId?: string | undefined }) => DeviceToCover | null;
}

/** Bundles the chosen sites' devices need that are not stored yet: how many, how many bytes. */
function bundlesToStore(catalogs: readonly (SiteCatalog | null)[], stored: readonly StoredRelease[]): { count: number; bytes: number } {
  const have = new Set(stored.map((r) => r.id));
  const need = new Map<string, number>();
  for (const c of catalogs) {
    if (!c) continue;
    const wanted = new Set(c.devices.map((d) => d.targetVersion));
    for (const v of c.systemVersions) {
      if ((wanted.has(v.version) || wanted.has(null)) && !have.has(v.bundle.id)) need.set(v.bundle.id, v.bundle.size);
    }
  }
  return { count: need.size, bytes: [...need.values()].reduce((a, b) => a + b, 0) };
}

/**
 * Runs the checklist: the whole visit, or (with `targets`) the checks that matter for one batch (the
 * release's coverage when it sends one: `bundleId`). Never throws: a check that cannot decide says `unknown` and why.
 */
export async function runPreflight(env: PreflightEnv, req: PreflightRequest = {}): Promise<PreflightReport> {
  const stored = await env.releases();
  const access: DeviceAccessInputs = env;
  const clock = () =>
    checkClock({ now: env.now(), builtAt: env.builtAt, newestJournalAt: env.newestJournalAt(), lastSyncAt: env.lastSyncAt(), cloudOffsetMs: env.cloudOffsetMs() });
  const ble = (needed: boolean) => checkBluetooth({ noble: env.noble, platform: env.platform, needed, ...(env.bleTimeoutMs === undefined ? {} : { timeoutMs: env.bleTimeoutMs }) });
  const keychain = () => checkKeychain(env.keychain, env.platform);
  let checks: PreflightCheck[];
  if (req.targets !== undefined) {
    const kinds = new Set(req.targets.map((t) => t.link.kind));
    checks = await Promise.all([
      ...(kinds.has('ble') ? [ble(true)] : []),
      ...(kinds.has('serial') ? [checkSerial(access)] : []),
      ...(kinds.has('hid') ? [checkHid(access)] : []),
      keychain(),
      checkDisk({ dataDir: env.dataDir, bundlesToStore: 0, bundleCount: 0, ...(env.statfs ? { statfs: env.statfs } : {}) }),
      clock(),
      ...(req.bundleId === undefined ? [] : [checkBatchCoverage(stored.find((r) => r.id === req.bundleId) ?? null, req.bundleId, req.targets.map((t) => env.deviceFacts(t)))]),
    ]);
  } else {
    const siteIds = env.siteIds();
    const catalogs = siteIds.map((id) => env.catalog(id));
    const toStore = bundlesToStore(catalogs, stored);
    checks = await Promise.all([
      ble(false),
      checkSerial(access),
      checkHid(access),
      keychain(),
      checkDisk({ dataDir: env.dataDir, bundlesToStore: toStore.bytes, bundleCount: toStore.count, ...(env.statfs ? { statfs: env.statfs } : {}) }),
      clock(),
      checkSiteCoverage(siteIds, catalogs, stored),
    ]);
  }
  return { checks, worst: worstOf(checks.map((c) => c.status)), at: env.now() };
}
