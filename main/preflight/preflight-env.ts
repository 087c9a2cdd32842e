import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { BundleInfo, HeardDevice, JobTargetRequest } from '../../preload/api';
import type { NobleLike } from '../links/ble-noble';
import { resourcesDir } from '../paths';
import type { Db } from '../store/db-type';
import { readSiteCatalog } from '../store/catalog-cache';
import { readSyncState } from '../store/sync-state';
import { RULES_FILE } from './device-access-check';
import type { PreflightEnv } from './preflight';

/** Set by the build (vite.node.config.ts) to the time it ran; absent when running from the sources. */
declare const __SITEFLASH_BUILT_AT__: number | undefined;

/** When this build was made, or null from the sources (tests, dev). */
export function builtAt(): number | null {
  return typeof __SITEFLASH_BUILT_AT__ === 'number' ? __SITEFLASH_BUILT_AT__ : null;
}

/** The newest time the journal holds: a job event or an audit row (epoch ms), or null when empty. */
export function newestJournalAt(db: Db): number | null {
  const row = db.prepare('SELECT max(m) AS at FROM (SELECT max(at) AS m FROM batch_events UNION ALL SELECT max(at) FROM audit_log)').get() as { at: number | null } | undefined;
  return row?.at ?? null;
}

/** Our udev rules as shipped with this install (the .deb's copy when resources cannot be found). */
function rulesSource(): string {
  try {
    return join(resourcesDir(), 'linux', RULES_FILE);
  } catch {
    return `/opt/siteflash/resources/linux/${RULES_FILE}`;
  }
}

/** True when the heard device is reached by this target. */
function sameTarget(a: JobTargetRequest, b: JobTargetRequest): boolean {
  if (a.kind !== b.kind) return false;
  if ('deviceId' in a && 'deviceId' in b) return a.deviceId === b.deviceId;
  if ('path' in a && 'path' in b) return a.path === b.path;
  return 'address' in a && 'address' in b && a.address.toLowerCase() === b.address.toLowerCase();
}

/** The real world for the core's `preflight:run`: this computer's root, groups, clock, keychain, noble, journal and catalog. */
export function corePreflightEnv(p: {
  dataDir: string;
  db: Db;
  noble: NobleLike | (() => Promise<NobleLike>);
  keychain: { list(): Promise<readonly string[]> };
  siteIds: () => readonly string[];
  releases: () => Promise<BundleInfo[]>;
  heard: () => readonly HeardDevice[];
}): PreflightEnv {
  return {
    platform: process.platform,
    root: '/',
    gids: process.getgroups?.() ?? [],
    userName: userInfo().username,
    ...(process.getuid ? { uid: process.getuid() } : {}),
    rulesSource: rulesSource(),
    noble: p.noble,
    keychain: p.keychain,
    dataDir: p.dataDir,
    now: Date.now,
    builtAt: builtAt(),
    newestJournalAt: () => newestJournalAt(p.db),
    lastSyncAt: () => readSyncState(p.db).lastSyncAt,
    // Measured by the sync's health probe when last online.
    cloudOffsetMs: () => readSyncState(p.db).cloudOffsetMs,
    siteIds: p.siteIds,
    catalog: (id) => readSiteCatalog(p.db, id),
    releases: p.releases,
    deviceFacts: (t) => {
      const id = t.expectedDeviceId ?? ('deviceId' in t.link ? t.link.deviceId : undefined);
      const d = p.heard().find((h) => (id !== undefined && h.id === id) || sameTarget(h.target, t.link));
      return d ? { name: d.id, board: d.board, hwRev: d.hw || null } : null;
    },
  };
}
