import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSiteDevices } from '../../main/demo/demo-catalog';
import { join } from 'node:path';
import { scanA11y } from './a11y';
import { launchBrowser, openPage, resultsDir, screenshot, startApp, type RunningApp, stepwise } from './harness';

/** The demo site's own list: 12 devices behind its gateway and 3 direct ones. */
const LIST = demoSiteDevices();
const nav = (page: Page, name: string) => page.getByRole('navigation').getByRole('button', { name: new RegExp(`^${name}`) }).click();
/** The whole page, and what a 1366×768 screen shows of it without scrolling. */
async function shots(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
  await page.screenshot({ path: join(resultsDir, `${name}-1366x768.png`) });
  const report = await scanA11y(page);
  expect(report.violations, `${name}: ${report.summary}`).toEqual([]);
}
const counts = (page: Page) => page.getByTestId('checklist-counts').first().textContent();
const todoNames = async (page: Page) => (await page.getByTestId('checklist-todo').first().locator('li .name').allInnerTexts()).map((t) => t.trim());

/** Answers "Yes" to every LED question of the running batch until it settles. */
async function answerUntilSettled(page: Page): Promise<void> {
  const results = page.getByRole('button', { name: 'See the results' });
  const deadline = Date.now() + 150_000;
  while (!(await results.isVisible())) {
    if (Date.now() > deadline) throw new Error(`the batch did not settle; page says:\n${await page.locator('main').innerText()}`);
    const prompt = page.getByTestId('led-prompt').first();
    if (await prompt.isVisible()) await prompt.getByRole('button', { name: 'Yes, it does' }).click();
    else await page.waitForTimeout(150);
  }
}

describe('the demo site\'s list is the checklist of the visit', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;
  /** The two devices updated in the batch: the first two temperature sensors behind the gateway. */
  const batch = LIST.slice(0, 2);

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
    page = await openPage(browser, app.url);
  });
  stepwise(() => page, 'site-checklist-failure');
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('starts the demo site with its release', async () => {
    await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
    await page.getByLabel('Site being worked on').fill('Demo plant, hall C');
    await page.getByLabel('Technician').fill('Alex Field');
    await page.getByRole('button', { name: 'Save site and name' }).click();
    await page.getByRole('button', { name: 'Start the demo site' }).click();
    await expect.poll(() => page.getByTestId('demo-running').textContent(), { timeout: 20_000 }).toMatch(/running/);
    await nav(page, 'Releases');
    await page.getByRole('button', { name: 'Add the demo release' }).click();
    await expect.poll(() => page.getByTestId('bundle').count(), { timeout: 20_000 }).toBe(1);
  });

  it('shows on Collect how much of the list is done, the to-do devices by name and place, and names on the cards', async () => {
    await nav(page, 'Collect');
    await expect.poll(() => counts(page), { timeout: 20_000 }).toMatch(/0 of 15 done,\s*15 to do/);
    await page.getByText('Here they are: the 15 to do').click();
    await expect.poll(() => todoNames(page)).toEqual(LIST.map((d) => d.name));
    expect(await page.getByTestId('checklist-todo').locator(`li[data-device="${batch[0]!.id}"]`).textContent()).toContain(batch[0]!.location);
    const cards = page.locator('article.heard');
    await expect.poll(() => cards.count(), { timeout: 20_000 }).toBe(LIST.length);
    // Every device heard is on the list: none is flagged, each card carries its list name and place.
    expect(await page.getByTestId('not-on-list').count()).toBe(0);
    const first = page.locator(`article.heard[data-device="${batch[0]!.id}"]`);
    expect(await first.getByRole('heading', { level: 3 }).textContent()).toContain(batch[0]!.name);
    expect(await first.textContent()).toContain(batch[0]!.location);
    await shots(page, 'site-checklist-collect');
    // Opened by the technician, the to-do list stays open while the counts are refreshed by each scan.
    await page.waitForTimeout(4000);
    expect(await page.getByTestId('site-checklist').locator('details').getAttribute('open')).not.toBeNull();
  });

  it('updates two devices of the list in one batch', async () => {
    for (const d of batch) {
      const card = page.locator(`article.heard[data-device="${d.id}"]`);
      await card.getByRole('button', { name: /^Demo: magnet \+ OTG/ }).click();
      await expect.poll(() => card.getAttribute('data-mode'), { timeout: 20_000 }).toBe('update');
      await card.getByRole('button', { name: 'Yes, it does' }).click();
      await expect.poll(() => card.getByRole('checkbox', { name: 'Update this device' }).isChecked()).toBe(true);
    }
    await page.getByRole('button', { name: 'Next: update the chosen devices' }).click();
    await page.getByRole('heading', { name: 'Update', level: 1 }).waitFor();
    await page.getByRole('button', { name: `Start updating ${batch.length} devices` }).click();
    const rows = page.getByRole('list', { name: 'Devices of this batch' });
    await rows.waitFor();
    // The batch's rows name the devices as the list does.
    expect(await rows.textContent()).toContain(batch[1]!.name);
    await answerUntilSettled(page);
    const states = await Promise.all(batch.map((d) => page.locator(`article.row[data-device="${d.id}"]`).getAttribute('data-state')));
    expect(states).toEqual(['done', 'done']);
  }, 200_000);

  it('counts them done on Results and leaves the other 13 on the to-do list, by name', async () => {
    await page.getByRole('button', { name: 'See the results' }).click();
    await page.getByRole('heading', { name: 'Results', level: 1 }).waitFor();
    await expect.poll(() => counts(page), { timeout: 20_000 }).toMatch(/2 of 15 done,\s*13 to do/);
    await expect.poll(() => todoNames(page)).toEqual(LIST.slice(2).map((d) => d.name));
    const todo = await todoNames(page);
    for (const d of batch) expect(todo).not.toContain(d.name);
    expect(await page.getByTestId('devices').textContent()).toContain(batch[0]!.name);
    await shots(page, 'site-checklist-results');
  });

  it('shows the same counts back on Collect', async () => {
    await nav(page, 'Collect');
    await expect.poll(() => counts(page), { timeout: 20_000 }).toMatch(/2 of 15 done,\s*13 to do/);
    await shots(page, 'site-checklist-collect-after');
  });
});
