import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDemoBundle } from '../../main/demo/demo-bundle';
import { testSigningKeys } from '../main/image/signing-keys';
import { scanA11y } from './a11y';
import { launchBrowser, openPage, screenshot, startApp, type RunningApp } from './harness';

/** The demo bundle as a folder, and a tar of it with one image byte flipped. */
async function bundles(dataDir: string): Promise<{ good: string; tampered: string; image: string; badImage: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'siteflash-e2e-bundle-'));
  // No key ships with siteflash: the app's data folder trusts keys made here, named as demo keys so the bundle shows as one.
  await writeDemoBundle(join(dir, 'good'), testSigningKeys(dataDir, { image: 'siteflash-demo-image', release: 'siteflash-demo-release' }));
  execFileSync('tar', ['-cf', join(dir, 'good.tar'), '-C', join(dir, 'good'), '.']);
  const imageName = readdirSync(join(dir, 'good', 'images'))[0]!;
  const image = join(dir, 'good', 'images', imageName);
  const bytes = readFileSync(image);
  bytes[bytes.length >> 1]! ^= 0x01;
  const badImage = join(dir, `tampered-${imageName}`);
  writeFileSync(badImage, bytes);
  execFileSync('cp', ['-r', join(dir, 'good'), join(dir, 'bad')]);
  writeFileSync(join(dir, 'bad', 'images', imageName), bytes);
  execFileSync('tar', ['-cf', join(dir, 'tampered.tar'), '-C', join(dir, 'bad'), '.']);
  return { good: join(dir, 'good.tar'), tampered: join(dir, 'tampered.tar'), image, badImage };
}

describe('Releases screen', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;
  let files: Awaited<ReturnType<typeof bundles>>;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
    files = await bundles(app.dataDir);
    page = await openPage(browser, app.url);
    await page.getByRole('button', { name: 'Releases' }).click();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('refuses a release whose image was changed, and says which check failed', async () => {
    await page.locator('input[type=file][aria-label="Import a release file…"]').setInputFiles(files.tampered);
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent(), { timeout: 20_000 }).toMatch(/Not imported\..*(SHA-256|sha256|hash)/i);
    expect(await page.getByTestId('bundle').count()).toBe(0);
  });

  it('imports the demo release from a file, verified, marked as demo', async () => {
    await page.locator('input[type=file][aria-label="Import a release file…"]').setInputFiles(files.good);
    const bundle = page.getByTestId('bundle');
    await expect.poll(() => bundle.count(), { timeout: 20_000 }).toBe(1);
    expect(await bundle.getByTestId('verdict').textContent()).toContain('Verified');
    expect(await bundle.textContent()).toContain('DEMO KEY');
    for (const board of ['sf-sensor-t', 'sf-valve-v', 'sf-meter-m']) expect(await bundle.textContent()).toContain(board);
    await page.getByRole('button', { name: 'Verify again' }).click();
    await expect.poll(() => bundle.getByTestId('verdict').textContent()).toMatch(/Verified \d.*every image checked/);
    await screenshot(page, 'releases');
    const scan = await scanA11y(page);
    expect(scan.violations, scan.summary).toEqual([]);
  });

  it('checks single image files: genuine, and refused when a byte changed', async () => {
    const input = page.locator('input[type=file][aria-label="Choose an image file…"]');
    await input.setInputFiles(files.image);
    await expect.poll(() => page.getByTestId('image-check').textContent()).toContain('genuine and intact');
    await input.setInputFiles(files.badImage);
    await expect.poll(() => page.getByTestId('image-check').textContent()).toContain('refused (hash-mismatch)');
    await screenshot(page, 'releases-image-refused');
  });
});
