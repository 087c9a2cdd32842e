import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../main/links/clock';
import { SimDevice } from '../../main/sim/device';
import { seededRandom } from '../../main/sim/rng';
import { fieldVersionText } from '../../main/sim/slot-image';
import { startUdpHost, type SimUdpHost } from '../../main/sim/udp-host';
import { importSiteRelease } from './site-release';
import { launchBrowser, openPage, screenshot, startApp, stepwise, type RunningApp } from './harness';

const nav = (page: Page, name: string) => page.getByRole('navigation').getByRole('button', { name: new RegExp(`^\\d? ?${name}`) }).click();

const SHOTS = process.env.SITEFLASH_SHOTS_DIR;
async function shot(page: Page, name: string): Promise<void> {
  const path = await screenshot(page, name);
  if (SHOTS) {
    mkdirSync(SHOTS, { recursive: true });
    copyFileSync(path, join(SHOTS, `${name}-full.png`));
    await page.screenshot({ path: join(SHOTS, `${name}.png`) });
  }
}

describe('a device on the network (SMP over UDP, the simulator on loopback), added by address and updated, no demo site', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;
  let host: SimUdpHost;
  const device = new SimDevice({ board: 'sf-sensor-t', hwRev: 'A', id: '5f1a5400000000bb', version: '1.4.2+0', clock: systemClock, random: seededRandom(7), timing: { baud: 1_000_000 } });

  beforeAll(async () => {
    host = await startUdpHost(device);
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
    page = await openPage(browser, app.url);
  }, 60_000);
  stepwise(() => page, 'udp-device-failure');
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await host?.stop();
    device.dispose();
  });

  it('refuses an address without a port, then adds the device and lists it with its address', async () => {
    await page.getByLabel('Technician').fill('Lan Tech');
    await page.getByRole('button', { name: 'Save site and name' }).click();
    await nav(page, 'Releases');
    await importSiteRelease(page, app.dataDir);
    await nav(page, 'Connect');
    const field = page.getByLabel('Add a device by address');
    await field.fill('127.0.0.1');
    await page.getByRole('button', { name: 'Add device' }).click();
    await expect.poll(() => page.getByTestId('address-error').textContent()).toContain('has no port');

    await field.fill(`127.0.0.1:${host.port}`);
    await page.getByRole('button', { name: 'Add device' }).click();
    const row = page.getByTestId('devices').getByRole('row', { name: new RegExp(`udp:127\\.0\\.0\\.1:${host.port}`) });
    await expect.poll(() => row.count(), { timeout: 20_000 }).toBe(1);
    expect(await row.textContent()).toContain(device.id);
    expect(await row.textContent()).toContain('LAN (UDP)');
    expect(await page.getByTestId('address-error').count()).toBe(0);
    await shot(page, 'udp-connect-listed');
  }, 90_000);

  it('shows it on Collect as connected directly and takes its LED answer', async () => {
    await nav(page, 'Collect');
    const card = page.locator(`article.heard[data-device="${device.id}"]`);
    await expect.poll(() => card.count(), { timeout: 30_000 }).toBe(1);
    expect(await card.textContent()).toContain('Connected directly');
    device.enterUpdateMode();
    await expect.poll(() => card.getAttribute('data-mode'), { timeout: 20_000 }).toBe('update');
    await card.getByRole('button', { name: 'Yes, it does' }).click();
    await expect.poll(() => card.getByRole('checkbox', { name: 'Update this device' }).isChecked()).toBe(true);
    await shot(page, 'udp-collect');
  }, 60_000);

  it('updates it in a job; the device runs the new version', async () => {
    await page.getByRole('button', { name: 'Next: update the chosen devices' }).click();
    await page.getByRole('heading', { name: 'Update', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Start updating 1 device' }).click();
    const results = page.getByRole('button', { name: 'See the results' });
    const deadline = Date.now() + 180_000;
    while (!(await results.isVisible())) {
      if (Date.now() > deadline) throw new Error(`the job did not settle; page says:\n${await page.locator('main').innerText()}`);
      const prompt = page.getByTestId('led-prompt').first();
      if (await prompt.isVisible()) await prompt.getByRole('button', { name: 'Yes, it does' }).click();
      else await page.waitForTimeout(200);
    }
    expect(await page.locator(`article.row[data-device="${device.id}"]`).getAttribute('data-state')).toBe('done');
    // What the device itself runs, not what the app says.
    expect(fieldVersionText(device.flash.image(0)!.version)).toBe('1.5.0+17');
    expect(device.flash.onTrial).toBe(false);
    await shot(page, 'udp-update-done');
  }, 240_000);

  it('shows its slots in the device details over UDP, and forgets it on request', async () => {
    await nav(page, 'Connect');
    const address = `udp:127.0.0.1:${host.port}`;
    await page.getByRole('button', { name: `Details of ${address}` }).click();
    const slot0 = page.getByTestId('device-details').locator('tr[data-slot="0"]');
    await expect.poll(() => slot0.locator('td.version').textContent(), { timeout: 30_000 }).toBe('1.5.0+17');
    expect(await slot0.locator('td[data-flag="confirmed"]').textContent()).toBe('yes');
    await page.getByTestId('device-details').getByRole('button', { name: 'Close' }).click();

    await page.getByRole('button', { name: `Forget ${address}` }).click();
    await expect.poll(() => page.getByRole('button', { name: `Details of ${address}` }).count()).toBe(0);
    // The core forgot it too: a new search does not list it.
    await page.getByRole('button', { name: 'Find devices' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Find devices' }).isEnabled(), { timeout: 60_000 }).toBe(true);
    expect(await page.getByText(address).count()).toBe(0);
  }, 120_000);
});
