import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDemoBundle } from '../../main/demo/demo-bundle';
import { testSigningKeys } from '../main/image/signing-keys';
import { DEMO_BUNDLE } from '../../main/demo/demo-catalog';
import { seededRng } from '../main/sync/fakes';
import { TestCloud } from '../main/sync/server';
import { scanA11y } from './a11y';
import { SITE_RELEASE_NAME } from './site-release';
import { launchBrowser, openPage, screenshot, startApp, type RunningApp } from './harness';

const TOKEN = 'tok_prepare_e2e_7c41';

describe('preparing a visit while online (test cloud in this process)', () => {
  let cloud: TestCloud;
  let app: RunningApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    // The test cloud serves the demo bundle as a tar; device d-001 of site s-pump-7 needs its system version.
    const dir = mkdtempSync(join(tmpdir(), 'siteflash-prepare-e2e-'));
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
    // Signed with keys the app's data folder trusts (no key ships with siteflash).
    await writeDemoBundle(join(dir, 'bundle'), testSigningKeys(app.dataDir), SITE_RELEASE_NAME);
    execFileSync('tar', ['-cf', join(dir, 'bundle.tar'), '-C', join(dir, 'bundle'), '.']);
    cloud = new TestCloud({ token: TOKEN, rng: seededRng(7), bundles: new Map([[DEMO_BUNDLE.id, readFileSync(join(dir, 'bundle.tar'))]]) });
    await cloud.start();
    page = await openPage(browser, app.url);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await cloud?.close();
  });

  it('sets the cloud URL and token, prepares site s-pump-7, and lists the downloaded bundle as verified', async () => {
    await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
    const panel = page.getByTestId('prepare-panel');
    await panel.getByTestId('prepare-off').waitFor();
    await page.getByLabel('Cloud server URL').fill(cloud.url);
    await page.getByRole('button', { name: 'Save URL' }).click();
    await expect.poll(() => panel.getByTestId('prepare-off').count()).toBe(0);
    await page.getByLabel('Cloud token').fill(TOKEN);
    await page.getByRole('button', { name: 'Store token' }).click();
    await expect.poll(() => page.getByTestId('token-status').textContent(), { timeout: 15_000 }).toMatch(/set \(kept in the OS keychain\)/);

    // An empty list is refused in the form, with a reason.
    await panel.getByRole('button', { name: 'Prepare' }).click();
    expect(await panel.textContent()).toMatch(/Enter at least one site id/);
    await panel.getByLabel(/Site ids/).fill('s-pump-7, s-pump-7\n');
    await panel.getByRole('button', { name: 'Prepare' }).click();
    const site = panel.locator('[data-testid="prepared-site"][data-site="s-pump-7"]');
    await site.waitFor({ timeout: 30_000 });
    expect(await site.textContent()).toMatch(/Pump station 7.*North Water Board.*2 devices/);
    const bundle = site.getByTestId('prepared-bundle');
    expect(await bundle.getAttribute('data-state')).toBe('downloaded');
    expect(await bundle.textContent()).toMatch(/System version 2\.0\.0: downloaded and verified/);
    expect(await panel.getByTestId('prepare-error').count()).toBe(0);
    await screenshot(page, 'home-prepare');
    const report = await scanA11y(page);
    expect(report.violations, `home-prepare: ${report.summary}`).toEqual([]);

    await panel.getByRole('button', { name: 'See the releases' }).click();
    await page.getByRole('heading', { name: 'Releases', level: 1 }).waitFor();
    const stored = page.getByTestId('bundle');
    await expect.poll(() => stored.count(), { timeout: 15_000 }).toBe(1);
    expect(await stored.getByTestId('verdict').textContent()).toContain('Verified');
  }, 90_000);

  it('remembers the sites, and a second preparation finds the bundle already here', async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
    const panel = page.getByTestId('prepare-panel');
    await expect.poll(() => panel.getByLabel(/Site ids/).inputValue()).toBe('s-pump-7');
    await panel.getByRole('button', { name: 'Prepare' }).click();
    await expect.poll(() => panel.getByTestId('prepared-bundle').getAttribute('data-state'), { timeout: 30_000 }).toBe('stored');
    expect(await panel.getByTestId('prepared-bundle').textContent()).toMatch(/already on this computer/);
  }, 60_000);
});
