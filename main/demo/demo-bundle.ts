import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildBundle, buildImage, seededBody, writeBundleFolder } from '../image';
import { resourcesDir } from '../paths';
import { DEMO_BOARDS, DEMO_BUNDLE } from './demo-catalog';

/** Fixed so that the demo bundle is the same bytes on every machine. */
const CREATED = '2026-11-01T08:00:00.000Z';

/**
 * Writes the demo release bundle into `dir`: one signed image per demo board, signed with the
 * published demo keys from `resources/demo/`. It then goes through the normal import, so the
 * demo exercises the same verification as a real release.
 */
export async function writeDemoBundle(dir: string, resources = resourcesDir()): Promise<void> {
  const [imageKey, releaseKey] = await Promise.all([
    readFile(join(resources, 'demo', 'siteflash-demo-image.key.pem'), 'utf8'),
    readFile(join(resources, 'demo', 'siteflash-demo-release.key.pem'), 'utf8'),
  ]);
  const components = DEMO_BOARDS.map((b) => ({
    board: b.board,
    hwRevisions: b.hwRevisions,
    name: `${b.board}-${b.releaseVersion.replace('+', '_')}.bin`,
    image: buildImage({ body: seededBody(`${b.board}@${b.releaseVersion}`, b.imageSize), version: b.releaseVersion, signingKey: imageKey, board: b.board }),
    rules: { minUpgradeFrom: b.installedVersion.replace(/\+.*/, '') + '+0' },
  }));
  await writeBundleFolder(dir, buildBundle({ ...DEMO_BUNDLE, created: CREATED, components, releaseKey }));
}
