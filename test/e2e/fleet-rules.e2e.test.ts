import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDemoBundle } from '../../main/demo/demo-bundle';
import { DEMO_BUNDLE } from '../../main/demo/demo-catalog';
import { startFleet, type Fleet } from '../../main/sim/fleet';
import { fieldVersionText } from '../../main/sim/slot-image';
import { testSigningKeys } from '../main/image/signing-keys';
import { seededRng } from '../main/sync/fakes';
import { TestCloud } from '../main/sync/server';
import { scanA11y } from './a11y';
import { SITE_RELEASE_NAME } from './site-release';
import { launchBrowser, openPage, resultsDir, screenshot, startApp, stepwise, type RunningApp } from './harness';

const TOKEN = 'tok_fleet_rules_e2e_51d2';
const SITE = { id: 's-plant-9', projectId: 'p-north', name: 'Plant 9', targetVersion: '2.0.0' };
const nav = (page: Page, name: string) => page.getByRole('navigation').getByRole('button', { name: new RegExp(`^\\d? ?${name}`) }).click();
const counts = (page: Page) => page.getByTestId('checklist-counts').first().textContent();
const todoNames = async (page: Page) => (await page.getByTestId('checklist-todo').first().locator('li .name').allInnerTexts()).map((t) => t.trim());

async function shots(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
  await page.screenshot({ path: join(resultsDir, `${name}-1366x768.png`) });
  const report = await scanA11y(page);
  expect(report.violations, `${name}: ${report.summary}`).toEqual([]);
}

async function answerUntilSettled(page: Page): Promise<void> {
  const results = page.getByRole('button', { name: 'See the results' });
  const deadline = Date.now() + 240_000;
  while (!(await results.isVisible())) {
    if (Date.now() > deadline) throw new Error(`the batch did not settle; page says:\n${await page.locator('main').innerText()}`);
    const prompt = page.getByTestId('led-prompt').first();
    if (await prompt.isVisible()) await prompt.getByRole('button', { name: 'Yes, it does' }).click();
    else await page.waitForTimeout(200);
  }
}

/**
 * A real site prepared from the (test) cloud, no demo: five sf-sensor-t devices on ptys running
 * 1.4.2+0; the site's list (target 2.0.0 = the release with sf-sensor-t 1.5.0+17) knows four of
 * them — one plain, one pinned to 1.4.9+3 (not in the release), one locked, one for development —
 * and a fifth device that is not here. The fifth device heard is not on the list.
 */
describe('fleet rules and the checklist on a prepared site (test cloud, devices on ptys)', () => {
  let cloud: TestCloud;
  let app: RunningApp;
  let browser: Browser;
  let page: Page;
  let fleet: Fleet;
  const ids = () => fleet.members.map((m) => m.device.id);
  const running = (i: number) => fieldVersionText(fleet.members[i]!.device.flash.image(0)!.version);
  const card = (i: number) => page.locator(`article.heard[data-device="${ids()[i]}"]`);
  const row = (i: number) => page.locator(`article.row[data-device="${ids()[i]}"]`);

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'siteflash-fleet-e2e-'));
    fleet = await startFleet({ count: 5, board: 'sf-sensor-t', version: '1.4.2+0', baud: 115200, dir: join(dir), device: { hwRev: 'A' } });
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
    await writeDemoBundle(join(dir, 'bundle'), testSigningKeys(app.dataDir), SITE_RELEASE_NAME);
    execFileSync('tar', ['-cf', join(dir, 'bundle.tar'), '-C', join(dir, 'bundle'), '.']);
    cloud = new TestCloud({ token: TOKEN, rng: seededRng(9), bundles: new Map([[DEMO_BUNDLE.id, readFileSync(join(dir, 'bundle.tar'))]]) });
    const [plain, pinned, locked, dev] = ids() as [string, string, string, string];
    const base = { siteId: SITE.id, board: 'sf-sensor-t', hwRev: 'A', targetVersion: null };
    cloud.sites = [SITE];
    cloud.devices = [
      { ...base, id: plain, name: 'Inlet pump sensor', location: 'Pump hall, inlet' },
      { ...base, id: pinned, name: 'Outlet pump sensor', location: 'Pump hall, outlet', pinnedVersion: '1.4.9+3' },
      { ...base, id: locked, name: 'Tank level', location: 'Tank 2, top hatch', locked: true, lockReason: 'Warranty case 4411: do not touch' },
      { ...base, id: dev, name: 'Bench prototype', location: 'Workshop bench', development: true },
      { ...base, id: '5f1a5400000000aa', name: 'Roof weather station', location: 'Roof, north corner' },
    ];
    await cloud.start();
    page = await openPage(browser, app.url);
  }, 90_000);
  stepwise(() => page, 'fleet-rules-failure');
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await cloud?.close();
    await fleet?.stop();
  });

  it('prepares the site from the cloud and adds the five ports by path', async () => {
    await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
    await page.getByLabel('Site being worked on').fill(SITE.name);
    await page.getByLabel('Technician').fill('Sam Field');
    await page.getByRole('button', { name: 'Save site and name' }).click();
    const panel = page.getByTestId('prepare-panel');
    await page.getByLabel('Cloud server URL').fill(cloud.url);
    await page.getByRole('button', { name: 'Save URL' }).click();
    await page.getByLabel('Cloud token').fill(TOKEN);
    await page.getByRole('button', { name: 'Store token' }).click();
    await expect.poll(() => page.getByTestId('token-status').textContent(), { timeout: 15_000 }).toMatch(/set/);
    await panel.getByLabel(/Site ids/).fill(SITE.id);
    await panel.getByRole('button', { name: 'Prepare' }).click();
    await expect.poll(() => panel.getByTestId('prepared-bundle').getAttribute('data-state'), { timeout: 30_000 }).toBe('downloaded');
    await nav(page, 'Connect');
    for (const m of fleet.members) {
      // One at a time: the field clears once the core has taken the port.
      await expect.poll(() => page.getByLabel('Add a port by path').inputValue()).toBe('');
      await page.getByLabel('Add a port by path').fill(m.clientPath);
      await page.getByRole('button', { name: 'Add port' }).click();
      await expect.poll(() => page.getByRole('row', { name: new RegExp(m.clientPath) }).count(), { timeout: 15_000 }).toBe(1);
    }
  }, 90_000);

  it('shows the list on Collect: names, places, the rules, and the device that is not on the list', async () => {
    await nav(page, 'Collect');
    await expect.poll(() => page.locator('article.heard').count(), { timeout: 30_000 }).toBe(5);
    await expect.poll(() => counts(page)).toMatch(/0 of 5 done,\s*5 to do/);
    expect(await card(0).getByRole('heading', { level: 3 }).textContent()).toContain('Inlet pump sensor');
    expect(await card(1).getByTestId('fleet-rule').textContent()).toContain('pinned to 1.4.9+3');
    expect(await card(2).getByTestId('fleet-rule').textContent()).toContain('locked: Warranty case 4411: do not touch');
    expect(await card(3).getByTestId('fleet-rule').textContent()).toContain('development device');
    expect(await card(4).getByTestId('not-on-list-flag').count()).toBe(1);
    expect(await page.getByTestId('not-on-list').textContent()).toContain(ids()[4]);
    // The magnet + OTG gesture on the simulated devices; each LED answered "yes" (a choice of all, not one by one).
    for (const m of fleet.members) m.device.enterUpdateMode();
    for (let i = 0; i < 5; i++) {
      await expect.poll(() => card(i).getAttribute('data-mode'), { timeout: 20_000 }).toBe('update');
      await card(i).getByRole('button', { name: 'Yes, it does' }).click();
      await expect.poll(() => card(i).getByRole('checkbox', { name: 'Update this device' }).isChecked()).toBe(true);
    }
    await page.getByText('Here they are: the 5 to do').click();
    await shots(page, 'fleet-rules-collect');
  }, 90_000);

  it('runs them in one job: the plain one and the unlisted one are updated, the pinned one and the locked one refused with why, the development one left alone', async () => {
    await page.getByRole('button', { name: 'Next: update the chosen devices' }).click();
    await page.getByRole('heading', { name: 'Update', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Start updating 5 devices' }).click();
    await answerUntilSettled(page);
    const states = await Promise.all([0, 1, 2, 3, 4].map((i) => row(i).getAttribute('data-state')));
    expect(states).toEqual(['done', 'failed', 'failed', 'cancelled', 'done']);
    expect(await row(1).textContent()).toContain('Pinned to 1.4.9+3; this release has 1.5.0+17');
    expect(await row(2).textContent()).toContain('Warranty case 4411');
    expect(await row(3).getByTestId('row-note').textContent()).toContain('A development device: left alone, nothing was sent');
    // What the devices themselves report.
    expect([0, 1, 2, 3, 4].map(running)).toEqual(['1.5.0+17', '1.4.2+0', '1.4.2+0', '1.4.2+0', '1.5.0+17']);
    await shots(page, 'fleet-rules-update');
  }, 300_000);

  it('counts the checklist on Results: 1 of 5 done, the 4 to do by name; the unlisted device flagged', async () => {
    await page.getByRole('button', { name: 'See the results' }).click();
    await page.getByRole('heading', { name: 'Results', level: 1 }).waitFor();
    await expect.poll(() => counts(page), { timeout: 20_000 }).toMatch(/1 of 5 done,\s*4 to do/);
    await expect.poll(() => todoNames(page)).toEqual(['Outlet pump sensor', 'Tank level', 'Bench prototype', 'Roof weather station']);
    // Left alone by design, not "not updated yet".
    expect(await page.getByTestId('checklist-todo').first().locator('li', { hasText: 'Bench prototype' }).locator('.why').textContent()).toBe('development device: left alone until ticked by itself');
    expect(await page.getByTestId('devices').textContent()).toContain('Inlet pump sensor');
    expect(await page.getByTestId('result-not-on-list').count()).toBe(1);
    await shots(page, 'fleet-rules-results');
  }, 60_000);

  it('updates the development device once it is ticked by itself', async () => {
    await nav(page, 'Collect');
    // The two updated devices restarted into the new image: they left update mode, and their ticks with it.
    for (const i of [0, 4]) await expect.poll(() => card(i).getAttribute('data-mode'), { timeout: 30_000 }).toBe('normal');
    // The pinned and the locked devices are still chosen (still in update mode): take them out; tick the development one alone.
    for (const i of [1, 2, 3]) {
      const box = card(i).getByRole('checkbox', { name: 'Update this device' });
      if (await box.isChecked()) await box.click();
      await expect.poll(() => box.isChecked()).toBe(false);
    }
    await card(3).getByRole('checkbox', { name: 'Update this device' }).click();
    await expect.poll(() => page.getByTestId('chosen-count').textContent()).toContain('1 device chosen');
    await page.getByRole('button', { name: 'Next: update the chosen devices' }).click();
    await page.getByRole('button', { name: 'Start a new batch' }).click();
    await page.getByRole('button', { name: 'Start updating 1 device' }).click();
    await answerUntilSettled(page);
    expect(await row(3).getAttribute('data-state')).toBe('done');
    expect(running(3)).toBe('1.5.0+17');
    await page.getByRole('button', { name: 'See the results' }).click();
    await expect.poll(() => counts(page), { timeout: 20_000 }).toMatch(/2 of 5 done,\s*3 to do/);
  }, 300_000);
});
