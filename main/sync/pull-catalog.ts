import type { Db } from '../store/db-type';
import { storeSiteCatalog, type SiteCatalog } from '../store/catalog-cache';
import { devicesSchema, projectsSchema, siteSchema, systemVersionsSchema } from './api-schemas';
import { cloudRequest, readJson, type CloudEndpoint } from './http';
import { SyncError } from './sync-error';

/** What pulling the catalog needs. */
export interface PullDeps {
  db: Db;
  endpoint: CloudEndpoint;
  now: () => number;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * Fetches the catalog of each chosen site (the site, its project, its devices with their target
 * system versions, the project's system versions and bundles) and replaces that site's cache in one
 * transaction per site. A site whose fetch fails keeps its previous cache; the first error is thrown
 * after the other sites were tried.
 */
export async function pullCatalog(deps: PullDeps, siteIds: readonly string[]): Promise<SiteCatalog[]> {
  const get = async <T>(path: string, parse: (v: unknown) => T): Promise<T> => {
    const res = await cloudRequest(deps.endpoint, path, { timeoutMs: deps.timeoutMs, ...(deps.signal ? { signal: deps.signal } : {}) });
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new SyncError('bad-response', `Unexpected HTTP ${res.status} for ${path}.`);
    }
    return readJson(res, parse, path);
  };
  const projects = (await get('/v1/projects', (v) => projectsSchema.parse(v))).projects;
  const pulled: SiteCatalog[] = [];
  let firstError: unknown = null;
  for (const siteId of siteIds) {
    try {
      const site = await get(`/v1/sites/${encodeURIComponent(siteId)}`, (v) => siteSchema.parse(v));
      const project = projects.find((p) => p.id === site.projectId);
      if (!project) throw new SyncError('not-found', `Site ${site.name} belongs to a project this account cannot see.`);
      const { devices } = await get(`/v1/sites/${encodeURIComponent(siteId)}/devices`, (v) => devicesSchema.parse(v));
      const { systemVersions } = await get(`/v1/projects/${encodeURIComponent(project.id)}/system-versions`, (v) =>
        systemVersionsSchema.parse(v),
      );
      const catalog: SiteCatalog = {
        project,
        site,
        devices,
        systemVersions: systemVersions.map((sv) => ({ projectId: project.id, ...sv })),
      };
      storeSiteCatalog(deps.db, catalog, deps.now());
      pulled.push(catalog);
    } catch (err) {
      firstError ??= err;
    }
  }
  if (firstError) throw firstError;
  return pulled;
}
