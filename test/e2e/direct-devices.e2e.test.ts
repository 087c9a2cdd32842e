import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../main/sim/fleet';
import { fieldVersionText } from '../../main/sim/slot-image';
import { importSiteRelease } from './site-release';
import { launchBrowser, openPage, screenshot, startApp, stepwise, type RunningApp } from './harness';

/** The site's release (the demo's contents) has sf-sensor-t 1.5.0+17 for hardware revisions A and B; these devices run 1.4.2. */
const BOARD = 'sf-sensor-t';
const FROM = '1.4.2+0';

const nav = (page: Page, name: string) => page.getByRole('navigation').getByRole('button', { name: new RegExp(`^\\d? ?${name}`) }).click();

/** Answers "Yes" to every LED question on the Update screen until the job settles; returns the patterns asked. */
async function answerUntilSettled(page: Page): Promise<string[]> {
  const asked: string[] = [];
  const results = page.getByRole('button', { name: 'See the results' });
  const deadline = Date.now() + 240_000;
  while (!(await results.isVisible())) {
    if (Date.now() > deadline) throw new Error(`the batch did not settle; page says:\n${await page.locator('main').innerText()}`);
    const prompt = page.getByTestId('led-prompt').first();
    if (await prompt.isVisible()) {
      asked.push((await prompt.getAttribute('data-pattern')) ?? '');
      await prompt.getByRole('button', { name: 'Yes, it does' }).click();
    } else await page.waitForTimeout(200);
  }
  return asked;
}

describe('a visit with two devices connected directly on serial ports, no demo site', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;
  let fleet: Fleet;

  beforeAll(async () => {
    fleet = await startFleet({ count: 2, board: BOARD, version: FROM, baud: 115200, dir: mkdtempSync(join(tmpdir(), 'siteflash-e2e-direct-')), device: { hwRev: 'A' } });
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
    page = await openPage(browser, app.url);
  }, 60_000);
  stepwise(() => page, 'direct-devices-failure');
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await fleet?.stop();
  });

  it('adds the release and both ports by path', async () => {
    await page.getByLabel('Site being worked on').fill('Pump station 4');
    await page.getByLabel('Technician').fill('Sam Direct');
    await page.getByRole('button', { name: 'Save site and name' }).click();
    await nav(page, 'Releases');
    await importSiteRelease(page, app.dataDir);
    await nav(page, 'Connect');
    for (const m of fleet.members) {
      await page.getByLabel('Add a port by path').fill(m.clientPath);
      await page.getByRole('button', { name: 'Add port' }).click();
      await expect.poll(() => page.getByRole('row', { name: new RegExp(m.clientPath) }).count()).toBe(1);
    }
  }, 60_000);

  it('shows both on Collect as connected directly, and takes their LED answers', async () => {
    await nav(page, 'Collect');
    const cards = page.locator('article.heard');
    await expect.poll(() => cards.count(), { timeout: 30_000 }).toBe(2);
    for (const card of await cards.all()) expect(await card.textContent()).toContain('Connected directly');
    expect(await page.getByText('demo', { exact: true }).count()).toBe(0);
    // The technician's magnet + OTG gesture, on the simulated devices themselves.
    for (const m of fleet.members) m.device.enterUpdateMode();
    for (const m of fleet.members) {
      const card = page.locator(`article.heard[data-device="${m.device.id}"]`);
      await expect.poll(() => card.getAttribute('data-mode'), { timeout: 20_000 }).toBe('update');
      await card.getByRole('button', { name: 'Yes, it does' }).click();
      // The answer is a request to the core: the tick shows once the core has it.
      await expect.poll(() => card.getByRole('checkbox', { name: 'Update this device' }).isChecked()).toBe(true);
    }
    await expect.poll(() => page.getByTestId('chosen-count').textContent()).toContain('2 devices chosen');
    await screenshot(page, 'direct-collect');
  }, 60_000);

  it('keeps the choices and LED answers across a reload in the middle of Collect (the core holds them)', async () => {
    await page.reload();
    await nav(page, 'Collect');
    for (const m of fleet.members) {
      const card = page.locator(`article.heard[data-device="${m.device.id}"]`);
      await expect.poll(() => card.count(), { timeout: 30_000 }).toBe(1);
      await expect.poll(() => card.getByTestId('led-answer').textContent()).toContain('You saw the update-mode LED');
      expect(await card.getByRole('checkbox', { name: 'Update this device' }).isChecked()).toBe(true);
    }
    expect(await page.getByTestId('chosen-count').textContent()).toContain('2 devices chosen');
  }, 60_000);

  it('updates both in one job, and the devices run the new version', async () => {
    await page.getByRole('button', { name: 'Next: update the chosen devices' }).click();
    await page.getByRole('heading', { name: 'Update', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Start updating 2 devices' }).click();
    // The update-mode answers given on Collect (before the reload) are the core's: the Update screen asks only for joined.
    const asked = await answerUntilSettled(page);
    expect(asked.filter((p) => p !== 'joined')).toEqual([]);
    const states = await Promise.all(fleet.members.map((m) => page.locator(`article.row[data-device="${m.device.id}"]`).getAttribute('data-state')));
    expect(states).toEqual(['done', 'done']);
    // What the devices themselves report, not what the app says.
    for (const m of fleet.members) expect(fieldVersionText(m.device.flash.image(0)!.version)).toBe('1.5.0+17');
    await screenshot(page, 'direct-update-done');
  }, 300_000);

  it('clears the ticks and answers of devices that left update mode (they restarted into the new image)', async () => {
    await nav(page, 'Collect');
    for (const m of fleet.members) {
      const card = page.locator(`article.heard[data-device="${m.device.id}"]`);
      await expect.poll(() => card.getAttribute('data-mode'), { timeout: 30_000 }).toBe('normal');
      expect(await card.getByRole('checkbox', { name: 'Update this device' }).isChecked()).toBe(false);
    }
    await expect.poll(() => page.getByTestId('chosen-count').textContent()).toContain('0 devices chosen');
  }, 60_000);

  it('says "already up to date (2)" for a second batch of the same devices, and asks no LED question', async () => {
    for (const m of fleet.members) m.device.enterUpdateMode();
    for (const m of fleet.members) {
      const card = page.locator(`article.heard[data-device="${m.device.id}"]`);
      await expect.poll(() => card.getAttribute('data-mode'), { timeout: 20_000 }).toBe('update');
      await card.getByRole('button', { name: 'Yes, it does' }).click();
    }
    await expect.poll(() => page.getByTestId('chosen-count').textContent()).toContain('2 devices chosen');
    await page.getByRole('button', { name: 'Next: update the chosen devices' }).click();
    await page.getByRole('button', { name: 'Start a new batch' }).click();
    await page.getByRole('button', { name: 'Start updating 2 devices' }).click();
    expect(await answerUntilSettled(page)).toEqual([]);
    await page.getByRole('button', { name: 'See the results' }).click();
    await expect.poll(() => page.getByTestId('outcome').textContent()).toContain('already up to date (2)');
    expect(await page.getByTestId('outcome').textContent()).not.toMatch(/updated/);
    const summary = await page.getByTestId('summary').locator('tbody tr').first().locator('td').allInnerTexts();
    expect(summary.slice(2, 4)).toEqual(['0', '2']);
    await screenshot(page, 'direct-already-up-to-date');
  }, 120_000);
});
