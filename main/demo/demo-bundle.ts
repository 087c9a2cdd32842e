import type { KeyObject } from 'node:crypto';
import { buildBundle, buildImage, seededBody, writeBundleFolder } from '../image';
import { DEMO_BOARDS, DEMO_BUNDLE } from './demo-catalog';

/** Fixed so that the demo bundle is the same bytes on every machine. */
const CREATED = '2026-11-01T08:00:00.000Z';

/** Private keys that sign the demo release: the data folder's demo keys (`demoKeysFor`), or a test's own. */
export interface DemoSigningKeys {
  image: KeyObject | string;
  release: KeyObject | string;
}

/**
 * Writes the demo release bundle into `dir`: one signed image per demo board, signed with `keys`
 * (in the app: the demo keys made for its data folder). It then goes through the normal import, so
 * the demo exercises the same verification as a real release. A test that signs the same contents
 * with its own keys gives them its own `name`: the demo's says it is signed with the demo key.
 */
export async function writeDemoBundle(dir: string, keys: DemoSigningKeys, name: string = DEMO_BUNDLE.name): Promise<void> {
  const { image: imageKey, release: releaseKey } = keys;
  const components = DEMO_BOARDS.map((b) => ({
    board: b.board,
    hwRevisions: b.hwRevisions,
    name: `${b.board}-${b.releaseVersion.replace('+', '_')}.bin`,
    image: buildImage({ body: seededBody(`${b.board}@${b.releaseVersion}`, b.imageSize), version: b.releaseVersion, signingKey: imageKey, board: b.board }),
    rules: { minUpgradeFrom: b.installedVersion.replace(/\+.*/, '') + '+0' },
  }));
  await writeBundleFolder(dir, buildBundle({ ...DEMO_BUNDLE, name, created: CREATED, components, releaseKey }));
}
