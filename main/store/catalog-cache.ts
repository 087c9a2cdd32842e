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
}

/** A device expected at a site, with the system version it should run. */
export interface CatalogDevice {
  id: string;
  siteId: string;
  name: string;
  board: string;
  hwRev: string | null;
  /** The system version the device should end up on; null when the cloud sets none. */
  targetVersion: string | null;
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
      'INSERT INTO catalog_sites (id, project_id, name, fetched_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET project_id = excluded.project_id, name = excluded.name, fetched_at = excluded.fetched_at',
    ).run(c.site.id, c.site.projectId, c.site.name, now);
    db.prepare('DELETE FROM catalog_devices WHERE site_id = ?').run(c.site.id);
    const dev = db.prepare(
      'INSERT INTO catalog_devices (id, site_id, name, board, hw_rev, target_version, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    for (const d of c.devices) dev.run(d.id, c.site.id, d.name, d.board, d.hwRev, d.targetVersion, now);
    db.prepare('DELETE FROM catalog_system_versions WHERE project_id = ?').run(c.project.id);
    const ver = db.prepare(
      'INSERT INTO catalog_system_versions (project_id, version, bundle_id, bundle_size, bundle_sha256, fetched_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    for (const v of c.systemVersions) ver.run(c.project.id, v.version, v.bundle.id, v.bundle.size, v.bundle.sha256, now);
  })();
}

/** The cached catalog of one site, or null if it was never pulled. */
export function readSiteCatalog(db: Db, siteId: string): SiteCatalog | null {
  const site = db.prepare('SELECT id, project_id AS projectId, name FROM catalog_sites WHERE id = ?').get(siteId) as CatalogSite | undefined;
  if (!site) return null;
  const project = db.prepare('SELECT id, name FROM catalog_projects WHERE id = ?').get(site.projectId) as CatalogProject;
  const devices = db
    .prepare('SELECT id, site_id AS siteId, name, board, hw_rev AS hwRev, target_version AS targetVersion FROM catalog_devices WHERE site_id = ? ORDER BY id')
    .all(siteId) as CatalogDevice[];
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
