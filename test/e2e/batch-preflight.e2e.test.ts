import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, resultsDir, startApp, type RunningApp } from './harness';

const nav = (page: Page, name: string) => page.getByRole('navigation').getByRole('button', { name: new RegExp(`^${name}`) }).click();

/**
 * The browser host started where no keychain answers (its D-Bus session address leads nowhere):
 * the checks before a batch fail on the keychain, and the batch does not start.
 */
describe('the checks before a batch (browser host without a keychain, demo site)', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/siteflash-no-keyring' }), launchBrowser()]);
    page = await openPage(browser, app.url);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('shows the keychain failure with its fix, offers no way past it, and starts no job', async () => {
    await page.getByRole('button', { name: 'Start the demo site' }).click();
    await expect.poll(() => page.getByTestId('demo-running').textContent(), { timeout: 20_000 }).toMatch(/running/);
    await nav(page, 'Releases');
    await page.getByRole('button', { name: 'Add the demo release' }).click();
    await expect.poll(() => page.getByTestId('bundle').count(), { timeout: 20_000 }).toBe(1);
    await nav(page, 'Collect');
    const cards = page.locator('article.heard');
    await expect.poll(() => cards.filter({ hasText: 'Through the gateway' }).count(), { timeout: 20_000 }).toBeGreaterThan(0);
    const card = cards.filter({ hasText: 'Through the gateway' }).first();
    await card.getByRole('button', { name: /^Demo: magnet \+ OTG/ }).click();
    await expect.poll(() => card.getAttribute('data-mode'), { timeout: 20_000 }).toBe('update');
    await card.getByRole('button', { name: 'Yes, it does' }).click();
    await page.getByRole('button', { name: 'Next: update the chosen devices' }).click();
    await page.getByRole('heading', { name: 'Update', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Start updating 1 device' }).click();

    const gate = page.getByTestId('batch-preflight');
    await gate.waitFor({ timeout: 30_000 });
    expect(await gate.getByRole('heading').innerText()).toBe('The batch cannot start: fix this first');
    const keychain = gate.getByTestId('preflight-keychain');
    expect(await keychain.getAttribute('data-status')).toBe('fail');
    expect(await keychain.innerText()).toContain('Failed');
    expect(await keychain.innerText()).toContain('Fix:');
    expect(await gate.getByRole('button', { name: 'Start anyway' }).count()).toBe(0);
    // Only the lines that are not ok are shown, and the batch's lines only (no Bluetooth for a gateway batch).
    expect(await gate.getByTestId('preflight-bluetooth').count()).toBe(0);
    expect(await gate.getByTestId('preflight-release').count()).toBe(0);
    // Brought into view under the start button, without scrolling by hand.
    await expect.poll(async () => (await gate.boundingBox())!.y).toBeLessThan(768);
    expect(await gate.evaluate((el) => el === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement)).toBe(true);
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: join(resultsDir, 'update-batch-preflight-1366x768.png') });
    // No job: the setup stays, and the batch's device list never appears.
    await page.waitForTimeout(1500);
    expect(await page.getByRole('list', { name: 'Devices of this batch' }).count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'New batch' }).isVisible()).toBe(true);
  }, 120_000);
});
