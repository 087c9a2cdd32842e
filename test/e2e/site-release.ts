import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { writeDemoBundle } from '../../main/demo/demo-bundle';
import { testSigningKeys } from '../main/image/signing-keys';

/** The name of the demo's contents signed with a test's keys (not the demo key the demo's own name speaks of). */
export const SITE_RELEASE_NAME = "Site release (the demo's images, signed with keys made for this test)";

/**
 * A site's release (the demo's contents: sf-sensor-t 1.5.0+17, …) signed with keys made for the
 * test and trusted in the app's data folder, imported through the Releases screen's file picker.
 * The demo release itself is refused for devices outside the demo site.
 */
export async function importSiteRelease(page: Page, dataDir: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'siteflash-e2e-site-release-'));
  await writeDemoBundle(join(dir, 'bundle'), testSigningKeys(dataDir), SITE_RELEASE_NAME);
  execFileSync('tar', ['-cf', join(dir, 'release.tar'), '-C', join(dir, 'bundle'), '.']);
  await page.locator('input[type=file][aria-label="Import a release file…"]').setInputFiles(join(dir, 'release.tar'));
  await expect.poll(() => page.getByTestId('bundle').count(), { timeout: 60_000 }).toBe(1);
}
