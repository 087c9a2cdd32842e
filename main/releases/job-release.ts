import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SiteflashError } from '../errors';
import { parseManifest, type BundleStore } from '../image';
import type { JobRelease } from '../jobs/types';

/**
 * The release a job sends, from a stored (verified) bundle: every component with the path of its
 * image in the bundle folder. The engine reads images from there in chunks, shared by all devices.
 */
export async function releaseFromBundle(bundles: BundleStore, id: string): Promise<JobRelease> {
  return releaseFromFolder(await bundles.folderOf(id));
}

/** The release of a bundle folder whose manifest was verified (a stored bundle, or a test's own). */
export async function releaseFromFolder(dir: string): Promise<JobRelease> {
  const bytes = await readFile(join(dir, 'manifest.json'));
  const parsed = parseManifest(bytes);
  if (!parsed.ok) throw new SiteflashError('bundle-unreadable', `The release in ${dir} cannot be read: ${parsed.message}. Import it again.`);
  const m = parsed.manifest;
  return {
    kind: 'bundle',
    name: `${m.name ?? m.id} (${m.systemVersion})`,
    components: m.components.map((c) => ({
      board: c.board,
      hwRevisions: c.hwRevisions,
      version: c.version,
      path: join(dir, c.file),
      size: c.size,
      sha256: c.sha256,
      imageHash: c.imageHash,
      ...(c.securityCounter !== undefined ? { securityCounter: c.securityCounter } : {}),
      ...(c.rules?.minUpgradeFrom ? { minUpgradeFrom: c.rules.minUpgradeFrom } : {}),
    })),
    bundleId: m.id,
    manifestSha256: createHash('sha256').update(bytes).digest('hex'),
  };
}
