import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet } from '../../main/sim/fleet';
import { openPtyPair } from '../pty';
import { scanA11y } from './a11y';
import type { Page } from 'playwright-core';
import { launchBrowser, openPage as openApp, screenshot, startApp, type RunningApp } from './harness';

/** The app opens on Home; these tests are about the Connect screen. */
async function openPage(browser: Browser, url: string): Promise<Page> {
  const page = await openApp(browser, url);
  await page.getByRole('navigation').getByRole('button', { name: 'Connect' }).click();
  return page;
}

/**
 * How long a UI change may take to show. Generous because the suite must pass while a second copy
 * runs on the same two cores: vitest's default of 1 s for expect.poll timed out there. A real
 * failure still fails, only later.
 */
const UI = { timeout: 30_000 };

describe('the app in the browser host', { timeout: 120_000 }, () => {
  let app: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    app = await startApp();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('shows the serial port list on the Connect screen', async () => {
    const page = await openPage(browser, app.url);
    await expect.poll(() => page.getByRole('heading', { name: 'Connect' }).isVisible(), UI).toBe(true);
    await expect.poll(() => page.getByRole('heading', { name: /Serial ports/ }).isVisible(), UI).toBe(true);
    expect(await page.locator('header').textContent()).toContain('browser host');
    // The token is taken out of the address bar once the page has it.
    expect(page.url()).not.toContain('token=');
    await screenshot(page, 'connect-empty');
  });

  it('shows a port added by path live, and drops it when the port goes away', async () => {
    const pty = await openPtyPair();
    try {
      const page = await openPage(browser, app.url);
      await page.getByLabel('Add a port by path').fill(pty.a);
      await page.getByRole('button', { name: 'Add port' }).click();
      const row = page.getByRole('row', { name: new RegExp(pty.a) });
      await expect.poll(() => row.isVisible(), UI).toBe(true);
      await screenshot(page, 'connect-port-added');
      await pty.close();
      await expect.poll(() => row.count(), UI).toBe(0);
    } finally {
      await pty.close();
    }
  });

  it('says clearly when a path is not a port', async () => {
    const page = await openPage(browser, app.url);
    await page.getByLabel('Add a port by path').fill('/etc/hostname');
    await page.getByRole('button', { name: 'Add port' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), UI).toContain('is not a serial port');
  });

  it('finds a simulated device on a serial port and shows what it reports about itself', async () => {
    const fleet = await startFleet({ count: 1, board: 'sf-sensor-t', version: '1.4.2+0', baud: 115200, dir: mkdtempSync(join(tmpdir(), 'siteflash-e2e-sim-')) });
    try {
      const page = await openPage(browser, app.url);
      await page.getByLabel('Add a port by path').fill(fleet.members[0]!.clientPath);
      await page.getByRole('button', { name: 'Add port' }).click();
      await page.getByRole('button', { name: 'Find devices' }).click();
      const row = page.getByTestId('devices').getByRole('row', { name: /sf-sensor-t/ });
      await expect.poll(() => row.count(), UI).toBe(1);
      expect(await row.textContent()).toContain('1.4.2');
      await screenshot(page, 'connect-devices');
      const scan = await scanA11y(page);
      expect(scan.violations, scan.summary).toEqual([]);
    } finally {
      await fleet.stop();
    }
  });
});
