import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanA11y } from './a11y';
import { parseCsv } from './csv';
import { launchBrowser, openPage, screenshot, startApp, type RunningApp, stepwise } from './harness';

/** Devices put in update mode behind the demo gateway, and directly connected ones. */
const GATEWAY_DEVICES = 3;
const DIRECT_DEVICES = 1;
const SITE = 'Demo plant, hall B';
const TECHNICIAN = 'Alex Field';

/** Saves a screenshot and asserts the screen has no serious or critical accessibility violation. */
async function checkScreen(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  const report = await scanA11y(page);
  expect(report.violations, `${name}: ${report.summary}`).toEqual([]);
  // 1366×768 without horizontal scrolling.
  const overflow = await page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document;
    return doc.documentElement.scrollWidth - doc.documentElement.clientWidth;
  });
  expect(overflow, `${name} scrolls sideways`).toBeLessThanOrEqual(0);
}

const nav = (page: Page, name: string) => page.getByRole('navigation').getByRole('button', { name: new RegExp(`^${name}`) }).click();

/** Answers "Yes" to every LED question on the Update screen until the job settles; returns the patterns answered, in order. */
async function answerPromptsUntilSettled(page: Page, hooks: { firstPrompt?: () => Promise<void>; transferring?: () => Promise<void> } = {}): Promise<string[]> {
  const results = page.getByRole('button', { name: 'See the results' });
  const moving = page.locator('article.row[data-state="transferring"]');
  const answered: string[] = [];
  let sawTransfer = false;
  const deadline = Date.now() + 150_000;
  while (!(await results.isVisible())) {
    if (Date.now() > deadline) throw new Error(`the batch did not settle; page says:\n${await page.locator('main').innerText()}`);
    if (!sawTransfer && hooks.transferring && (await moving.count()) > 0) {
      sawTransfer = true;
      await hooks.transferring();
    }
    const prompt = page.getByTestId('led-prompt').first();
    if (await prompt.isVisible()) {
      if (answered.length === 0) await hooks.firstPrompt?.();
      const pattern = (await prompt.getAttribute('data-pattern')) ?? '';
      // By keyboard: the answer buttons are reachable and work without a pointer.
      await prompt.getByRole('button', { name: 'Yes, it does' }).focus();
      await page.keyboard.press('Enter');
      answered.push(pattern);
    } else await page.waitForTimeout(150);
  }
  if (hooks.transferring && !sawTransfer) throw new Error('no device was ever seen transferring');
  return answered;
}

describe('a whole visit on the demo site', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;
  /** Ids of the devices chosen on the Collect screen, and the one made to fail. */
  const chosen: string[] = [];
  let failing = '';

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
    page = await openPage(browser, app.url);
  });
  // Each step builds on the one before: once one fails, the rest are skipped, not timed out one by one.
  stepwise(() => page, 'visit-failure');
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('opens on Home, saves the site and technician, and starts the demo site', async () => {
    await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
    const labels = await page.getByRole('navigation').getByRole('button').allInnerTexts();
    expect(labels.map((l) => l.replace(/\s+/g, ' ').trim())).toEqual(['Home', 'Releases', 'Connect', 'Collect', 'Update', 'Results', 'History'].map((label, i) => `${i + 1} ${label}`));
    expect(await page.getByRole('button', { name: 'Home', exact: true }).getAttribute('aria-current')).toBe('page');
    await page.getByLabel('Site being worked on').fill(SITE);
    await page.getByLabel('Technician').fill(TECHNICIAN);
    await page.getByRole('button', { name: 'Save site and name' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    await page.getByRole('button', { name: 'Start the demo site' }).click();
    await expect.poll(() => page.getByTestId('demo-running').textContent(), { timeout: 20_000 }).toMatch(/running/);
    await expect.poll(() => page.getByTestId('gateway-status').textContent()).toContain('connected');
    await checkScreen(page, 'home');
  });

  it('adds the demo release', async () => {
    // The nav works from the keyboard alone.
    await page.getByRole('navigation').getByRole('button', { name: 'Releases' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Releases', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Add the demo release' }).click();
    await expect.poll(() => page.getByTestId('bundle').count(), { timeout: 20_000 }).toBe(1);
    expect(await page.getByTestId('verdict').textContent()).toContain('Verified');
    await checkScreen(page, 'releases');
  });

  it('shows the demo gateway as connected', async () => {
    await nav(page, 'Connect');
    const panel = page.getByTestId('gateway-panel');
    await expect.poll(() => panel.getAttribute('data-connected')).toBe('true');
    expect(await panel.textContent()).toMatch(/connected/i);
    await checkScreen(page, 'connect');
  });

  it('collects devices behind the gateway and a direct one with the demo magnet, confirming each LED', async () => {
    await nav(page, 'Collect');
    await expect.poll(() => page.getByTestId('collect-status').textContent(), { timeout: 15_000 }).toContain('Listening');
    const cards = page.locator('article.heard');
    await expect.poll(() => cards.count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(GATEWAY_DEVICES + DIRECT_DEVICES);
    // Behind the gateway: devices of one board (a gateway batch mixing boards fails in the core today,
    // with MGMT_ERR_EINVAL or an impossible upload offset); directly: a device of another board, so
    // the results have a line per board.
    const boards = new Set<string>();
    const pick = async (via: string, count: number, board: string | undefined, avoid: string[] = []) => {
      for (let i = 0; i < count; i += 1) {
        const normal = cards.filter({ hasText: via }).and(page.locator('[data-mode="normal"]'));
        const candidates = await normal.evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { device: string; board: string } }).dataset));
        const next = candidates.find((c) => (board === undefined || c.board === board) && !avoid.includes(c.board));
        if (!next) throw new Error(`no ${via} device left in normal mode`);
        boards.add(next.board);
        const card = page.locator(`article.heard[data-device="${next.device}"]`);
        await card.getByRole('button', { name: /^Demo: magnet \+ OTG/ }).click();
        await expect.poll(() => card.getAttribute('data-mode'), { timeout: 20_000 }).toBe('update');
        chosen.push(next.device);
      }
    };
    await pick('Through the gateway', GATEWAY_DEVICES, 'sf-sensor-t');
    await pick('Connected directly', DIRECT_DEVICES, undefined, [...boards]);
    // Update-mode devices come first.
    const modes = await cards.evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { mode: string } }).dataset.mode));
    expect(modes.slice(0, chosen.length)).toEqual(chosen.map(() => 'update'));
    const first = page.locator(`article.heard[data-device="${chosen[0]}"]`);
    await first.getByRole('button', { name: /^Identify/ }).click();
    await checkScreen(page, 'collect');
    for (const id of chosen) {
      const card = page.locator(`article.heard[data-device="${id}"]`);
      await card.getByRole('button', { name: 'Yes, it does' }).click();
      await expect.poll(() => card.getByTestId('led-answer').textContent()).toContain('You saw the update-mode LED');
      expect(await card.getByRole('checkbox', { name: 'Update this device' }).isChecked()).toBe(true);
    }
    expect(await page.getByTestId('chosen-count').textContent()).toContain(`${chosen.length} devices chosen`);
  });

  it('runs the batch with one injected failure, answering the LED checkpoints without blocking other devices', async () => {
    await page.getByRole('button', { name: 'Next: update the chosen devices' }).click();
    await page.getByRole('heading', { name: 'Update', level: 1 }).waitFor();
    await page.getByLabel('Automatic retries per device').fill('0');
    failing = chosen[0]!;
    await page.getByRole('button', { name: new RegExp(`^Demo: make this device fail: .*${failing.slice(-4)}$`) }).click();
    await page.getByTestId('armed').waitFor();
    await page.getByRole('button', { name: `Start updating ${chosen.length} devices` }).click();
    await page.getByRole('list', { name: 'Devices of this batch' }).waitFor();
    expect(await page.getByRole('list', { name: 'Devices of this batch' }).getByRole('listitem').count()).toBe(chosen.length);
    const answered = await answerPromptsUntilSettled(page, {
      firstPrompt: () => checkScreen(page, 'update-led-prompt'),
      transferring: () => checkScreen(page, 'update-running'),
    });
    expect(answered.length).toBeGreaterThan(0);
    // Every device's update-mode LED was confirmed on Collect: the Update screen asks only for joined.
    expect(answered.filter((p) => p !== 'joined')).toEqual([]);
    const failed = page.locator(`article.row[data-device="${failing}"]`);
    expect(await failed.getAttribute('data-state')).toBe('failed');
    expect(await failed.getByRole('note').textContent()).toMatch(/What to do/);
    const others = chosen.slice(1).map((id) => page.locator(`article.row[data-device="${id}"]`).getAttribute('data-state'));
    expect(await Promise.all(others)).toEqual(chosen.slice(1).map(() => 'done'));
  }, 180_000);

  it('retries the failed device, and this time it succeeds', async () => {
    await page.getByRole('button', { name: 'Retry failed (1)' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'See the results' }).count()).toBe(0);
    // A retry follows a failure, after which the device may have left update mode: it is asked again.
    expect(await answerPromptsUntilSettled(page)).toContain('update-mode');
    const states = await Promise.all(chosen.map((id) => page.locator(`article.row[data-device="${id}"]`).getAttribute('data-state')));
    expect(states).toEqual(chosen.map(() => 'done'));
    expect(await page.locator(`li:has(article.row[data-device="${failing}"])`).getAttribute('data-attempt')).toBe('2');
  }, 180_000);

  it('shows the results and exports one CSV row per device attempt', async () => {
    await page.getByRole('button', { name: 'See the results' }).click();
    await page.getByRole('heading', { name: 'Results', level: 1 }).waitFor();
    expect(await page.getByTestId('outcome').textContent()).toContain(`${chosen.length} of ${chosen.length} updated`);
    await page.getByTestId('no-problems').waitFor();
    await expect.poll(() => page.getByTestId('earlier').textContent()).toContain(failing.slice(-4));
    expect(await page.getByTestId('summary').locator('tbody tr').count()).toBeGreaterThan(1);
    await checkScreen(page, 'results');
    // The printed report leaves out the app's chrome and buttons.
    await page.emulateMedia({ media: 'print' });
    expect(await page.getByRole('navigation').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Print report' }).isVisible()).toBe(false);
    expect(await page.getByTestId('summary').isVisible()).toBe(true);
    await screenshot(page, 'results-print');
    await page.emulateMedia({ media: 'screen' });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const rows = parseCsv(readFileSync((await download.path())!, 'utf8'));
    // A device that failed before it answered has no reported id; its link (…/<EUI-64>) still names it.
    const idOf = (r: Record<string, string>) => r.device_id || (/([0-9a-f]{16})$/.exec(r.link ?? '')?.[1] ?? '');
    const attempts = rows.map((r) => `${idOf(r)}#${r.attempt}:${r.result}`).sort();
    const expected = [...chosen.map((id) => `${id}#1:${id === failing ? 'failed' : 'done'}`), `${failing}#2:done`].sort();
    expect(attempts).toEqual(expected);
    for (const r of rows) {
      expect(r.site).toBe(SITE);
      expect(r.technician).toBe(TECHNICIAN);
    }
    expect(rows.find((r) => idOf(r) === failing && r.attempt === '1')?.reason).not.toBe('');
  });

  it('lists the attempts in the history, filterable by result', async () => {
    await nav(page, 'History');
    const table = page.getByTestId('history');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(chosen.length + 1);
    await checkScreen(page, 'history');
    await page.getByLabel('Result').selectOption('failed');
    await page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    expect(await table.textContent()).toContain(failing);
  });
});

