import type { Db } from './db-type';

/** A project the technician works for. */
export interface CatalogProject {
  id: string;
  name: string;
}

/** A customer site of a project. */
export interface CatalogSite {
  id: string;
  projectId: string;
  name: string;
  /** Fleet rule: the system version the site's devices should run (under group targets and device pins). */
  targetVersion?: string | null;
  /** The site's device groups, each with its own target system version. */
  groups?: CatalogGroup[];
}

/** A device group of a site (fleet rules). */
export interface CatalogGroup {
  id: string;
  name: string;
  targetVersion?: string | null;
}

/** A device expected at a site, with the system version it should run and its fleet rules. */
export interface CatalogDevice {
  id: string;
  siteId: string;
  name: string;
  board: string;
  hwRev: string | null;
  /** The system version the device should end up on; null when the cloud sets none. */
  targetVersion: string | null;
  /** Where it is mounted, for the technician. */
  location?: string | null;
  /** The site group it belongs to. */
  group?: string | null;
  /** Fleet rule: the image version it must run, over every target. */
  pinnedVersion?: string | null;
  /** Fleet rule: nothing is installed while locked; `lockReason` says why. */
  locked?: boolean;
  lockReason?: string | null;
  /** Fleet rule: updated only when chosen one by one. */
  development?: boolean;
}

/** A system version of a project and the release bundle that carries it. */
export interface CatalogSystemVersion {
  projectId: string;
  version: string;
  bundle: { id: string; size: number; sha256: string };
}

/** What one pull brings for one site. */
export interface SiteCatalog {
  project: CatalogProject;
  site: CatalogSite;
  devices: CatalogDevice[];
  systemVersions: CatalogSystemVersion[];
}

/**
 * Replaces the cached catalog of one site (its project, devices and the project's system versions)
 * in one transaction, so the offline cache is never half old, half new.
 */
export function storeSiteCatalog(db: Db, c: SiteCatalog, now: number): void {
  db.transaction(() => {
    db.prepare(
      'INSERT INTO catalog_projects (id, name, fetched_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, fetched_at = excluded.fetched_at',
    ).run(c.project.id, c.project.name, now);
    db.prepare(
      'INSERT INTO catalog_sites (id, project_id, name, target_version, fetched_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET project_id = excluded.project_id, name = excluded.name, target_version = excluded.target_version, fetched_at = excluded.fetched_at',
    ).run(c.site.id, c.site.projectId, c.site.name, c.site.targetVersion ?? null, now);
    db.prepare('DELETE FROM catalog_groups WHERE site_id = ?').run(c.site.id);
    const group = db.prepare('INSERT INTO catalog_groups (site_id, id, name, target_version, fetched_at) VALUES (?, ?, ?, ?, ?)');
    for (const g of c.site.groups ?? []) group.run(c.site.id, g.id, g.name, g.targetVersion ?? null, now);
    db.prepare('DELETE FROM catalog_devices WHERE site_id = ?').run(c.site.id);
    const dev = db.prepare(
      `INSERT INTO catalog_devices (id, site_id, name, board, hw_rev, target_version, location, group_id, pinned_version, locked, lock_reason, development, fetched_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const d of c.devices) {
      dev.run(d.id, c.site.id, d.name, d.board, d.hwRev, d.targetVersion, d.location ?? null, d.group ?? null, d.pinnedVersion ?? null, d.locked ? 1 : 0, d.lockReason ?? null, d.development ? 1 : 0, now);
    }
    db.prepare('DELETE FROM catalog_system_versions WHERE project_id = ?').run(c.project.id);
    const ver = db.prepare(
      'INSERT INTO catalog_system_versions (project_id, version, bundle_id, bundle_size, bundle_sha256, fetched_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    for (const v of c.systemVersions) ver.run(c.project.id, v.version, v.bundle.id, v.bundle.size, v.bundle.sha256, now);
  })();
}

/** The cached catalog of one site, or null if it was never pulled. */
export function readSiteCatalog(db: Db, siteId: string): SiteCatalog | null {
  const row = db.prepare('SELECT id, project_id AS projectId, name, target_version AS targetVersion FROM catalog_sites WHERE id = ?').get(siteId) as
    | (CatalogSite & { targetVersion: string | null })
    | undefined;
  if (!row) return null;
  const groups = db.prepare('SELECT id, name, target_version AS targetVersion FROM catalog_groups WHERE site_id = ? ORDER BY id').all(siteId) as CatalogGroup[];
  const site: CatalogSite = { ...row, groups };
  const project = db.prepare('SELECT id, name FROM catalog_projects WHERE id = ?').get(site.projectId) as CatalogProject;
  const devices = (
    db
      .prepare(
        `SELECT id, site_id AS siteId, name, board, hw_rev AS hwRev, target_version AS targetVersion, location, group_id AS "group",
                pinned_version AS pinnedVersion, locked, lock_reason AS lockReason, development
         FROM catalog_devices WHERE site_id = ? ORDER BY id`,
      )
      .all(siteId) as (Omit<CatalogDevice, 'locked' | 'development'> & { locked: number; development: number })[]
  ).map((d): CatalogDevice => ({ ...d, locked: d.locked === 1, development: d.development === 1 }));
  const rows = db
    .prepare('SELECT version, bundle_id, bundle_size, bundle_sha256 FROM catalog_system_versions WHERE project_id = ? ORDER BY version')
    .all(site.projectId) as { version: string; bundle_id: string; bundle_size: number; bundle_sha256: string }[];
  const systemVersions = rows.map((r) => ({
    projectId: site.projectId,
    version: r.version,
    bundle: { id: r.bundle_id, size: r.bundle_size, sha256: r.bundle_sha256 },
  }));
  return { project, site, devices, systemVersions };
}
