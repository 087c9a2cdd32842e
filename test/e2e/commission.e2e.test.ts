import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanA11y } from './a11y';
import { parseCsv } from './csv';
import { launchBrowser, openPage, screenshot, startApp, type RunningApp, stepwise } from './harness';

const PROJECT = 'plant-7';
/** The network key typed into the UI: it must never be shown again, on any screen or in the CSV. */
const KEY = '3c9a1f0e7b2d4c6a8e0f1a2b3c4d5e6f';
const KEY_FORMS = [KEY, KEY.toUpperCase(), Buffer.from(KEY, 'hex').toString('base64')];
const SITE = 'Demo plant, commissioning';

/** Saves a screenshot, asserts no serious or critical axe violation and no sideways scrolling at 1366×768. */
async function checkScreen(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  const report = await scanA11y(page);
  expect(report.violations, `${name}: ${report.summary}`).toEqual([]);
  const overflow = await page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document;
    return doc.documentElement.scrollWidth - doc.documentElement.clientWidth;
  });
  expect(overflow, `${name} scrolls sideways`).toBeLessThanOrEqual(0);
}

/** The key appears nowhere in the page: not in its text, its markup, nor any field's value. */
async function expectNoKey(page: Page, where: string): Promise<void> {
  const text = await page.locator('body').innerText();
  const html = await page.content();
  const values = await page.locator('input, textarea').evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value).join('\n'));
  for (const form of KEY_FORMS) {
    expect(text.includes(form), `${where}: the key is in the page text`).toBe(false);
    expect(html.includes(form), `${where}: the key is in the page markup`).toBe(false);
    expect(values.includes(form), `${where}: the key is in a field`).toBe(false);
  }
}

const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Steps of the visit' }).getByRole('button', { name: new RegExp(`^${name}`) }).click();

describe('commissioning on the demo site: network settings, then the release', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;
  const chosen: string[] = [];

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
    page = await openPage(browser, app.url);
  });
  // Each step builds on the one before: once one fails, the rest are skipped, not timed out one by one.
  stepwise(() => page, 'commission-failure');
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('starts the demo site, explains why a visit cannot be prepared without a cloud URL, and adds the release', async () => {
    await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
    await page.getByLabel('Site being worked on').fill(SITE);
    await page.getByLabel('Technician').fill('Sam Commissioner');
    await page.getByRole('button', { name: 'Save site and name' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    const prepare = page.getByTestId('prepare-panel');
    expect(await prepare.getByTestId('prepare-off').textContent()).toMatch(/Set the cloud server URL/);
    expect(await prepare.getByRole('button', { name: 'Prepare' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Start the demo site' }).click();
    await expect.poll(() => page.getByTestId('demo-running').textContent(), { timeout: 20_000 }).toMatch(/running/);
    await nav(page, 'Releases');
    await page.getByRole('button', { name: 'Add the demo release' }).click();
    await expect.poll(() => page.getByTestId('bundle').count(), { timeout: 20_000 }).toBe(1);
  });

  it('collects two devices behind the gateway and one direct device in update mode', async () => {
    await nav(page, 'Collect');
    const cards = page.locator('article.heard');
    await expect.poll(() => cards.count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
    const pick = async (via: string, count: number, board?: string) => {
      for (let i = 0; i < count; i += 1) {
        const normal = cards.filter({ hasText: via }).and(page.locator('[data-mode="normal"]'));
        const candidate = async () =>
          (await normal.evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { device: string; board: string } }).dataset))).find(
            (c) => board === undefined || c.board === board,
          );
        // The gateway's radio scan answers a few seconds after the direct devices.
        await expect.poll(candidate, { timeout: 20_000, message: `no ${via} device in normal mode` }).toBeDefined();
        const next = (await candidate())!;
        const card = page.locator(`article.heard[data-device="${next.device}"]`);
        await card.getByRole('button', { name: /^Demo: magnet \+ OTG/ }).click();
        await expect.poll(() => card.getAttribute('data-mode'), { timeout: 20_000 }).toBe('update');
        await card.getByRole('button', { name: 'Yes, it does' }).click();
        chosen.push(next.device);
      }
    };
    // One board behind the gateway: a gateway batch of one image per board (see visit.e2e).
    await pick('Through the gateway', 2, 'sf-sensor-t');
    await pick('Connected directly', 1);
    await expect.poll(() => page.getByTestId('chosen-count').textContent()).toContain('3 devices chosen');
  });

  it('checks the network settings as typed and stores the key in the keychain without ever showing it', async () => {
    await page.getByRole('button', { name: 'Next: update the chosen devices' }).click();
    await page.getByRole('heading', { name: 'Update', level: 1 }).waitFor();
    await page.getByRole('radio', { name: /Commission: network settings, then the release/ }).check();
    const fields = page.getByTestId('network-fields');
    await fields.getByLabel('Project id').fill(PROJECT);
    await fields.getByLabel('PAN ID').fill('0x1BEEF');
    await fields.getByLabel('Channel').fill('twenty');
    // The start button says it cannot start yet (aria-disabled); Enter in a field asks all the same.
    expect(await page.getByRole('button', { name: 'Commission 3 devices' }).getAttribute('aria-disabled')).toBe('true');
    await fields.getByLabel('Channel').press('Enter');
    await expect.poll(() => fields.textContent()).toMatch(/PAN ID must be from 0 to 65535/);
    expect(await fields.textContent()).toMatch(/channel is a whole number/);
    expect(await page.getByTestId('start-blocker').textContent()).toMatch(/Correct the network settings/);
    expect(await page.locator('section[data-job]').count()).toBe(0);
    await fields.getByLabel('PAN ID').fill('0xBEEF');
    await fields.getByLabel('Channel').fill('20');
    await fields.getByLabel('Security').selectOption('aes-ccm-128');
    const status = page.getByTestId('net-key-status');
    expect(await status.textContent()).toMatch(/No key stored for this project yet/);
    expect(await page.getByTestId('start-blocker').textContent()).toMatch(/Store the project's network key/);
    const keyField = status.getByLabel('Network key (32 hex digits)');
    expect(await keyField.getAttribute('type')).toBe('password');
    // A wrong key is refused in the form, and the field is cleared all the same.
    await keyField.fill(KEY.slice(0, 30));
    await status.getByRole('button', { name: 'Store the key' }).click();
    await expect.poll(() => status.getByRole('alert').textContent()).toMatch(/32 hex digits\. This has 30/);
    expect(await keyField.inputValue()).toBe('');
    await keyField.fill(KEY);
    await keyField.press('Enter');
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toMatch(/Key stored in the keychain/);
    expect(await status.getByLabel('Replace the key (32 hex digits)').inputValue()).toBe('');
    await expectNoKey(page, 'update setup');
    await checkScreen(page, 'update-commission-setup');
  });

  it('commissions the three devices: counts reach 3 on the new settings, then phase 2 installs the release', async () => {
    await page.getByRole('checkbox', { name: /confirm the LED/ }).uncheck();
    await page.getByLabel('Automatic retries per device').fill('1');
    await page.getByRole('button', { name: 'Commission 3 devices' }).click();
    const counts = page.getByTestId('network-counts');
    await counts.waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByTestId('phase-network').getAttribute('data-state')).toMatch(/running|finished/);
    await checkScreen(page, 'update-network-running');
    await expectNoKey(page, 'network phase');
    // The phase strip keeps phase 1's counts in view once phase 2 is shown.
    await expect.poll(() => page.getByTestId('phase-network').textContent(), { timeout: 90_000 }).toContain('3 of 3 on the new settings');
    await expect.poll(() => page.getByTestId('phase-release').getAttribute('data-state'), { timeout: 30_000 }).toMatch(/running|finished/);
    await expect.poll(() => page.getByTestId('phase-release').getAttribute('data-state'), { timeout: 150_000 }).toBe('finished');
    const states = await Promise.all(chosen.map((id) => page.locator(`article.row[data-device="${id}"]`).getAttribute('data-state')));
    expect(states).toEqual(['done', 'done', 'done']);
    expect(await page.getByRole('heading', { level: 2, name: /^Batch:/ }).count()).toBe(1);
    await checkScreen(page, 'update-commission-done');
    await expectNoKey(page, 'release phase');
    // Phase 1 is one press away, with its counts.
    await page.getByRole('button', { name: 'Show phase 1' }).click();
    await expect.poll(() => page.getByTestId('count-new').textContent()).toBe('3 on the new settings');
    expect(await page.getByTestId('count-old').textContent()).toBe('0 still on the old settings');
    expect(await page.locator('article.row[data-state="done"]').count()).toBe(3);
    await expectNoKey(page, 'network phase, finished');
  }, 300_000);

  it('records both phases in the history and the CSV, and the key is in neither', async () => {
    await nav(page, 'Results');
    await page.getByRole('heading', { name: 'Results', level: 1 }).waitFor();
    expect(await page.getByTestId('outcome').textContent()).toContain('3 of 3 on the new settings');
    await checkScreen(page, 'results-network');
    await expectNoKey(page, 'results');
    await nav(page, 'History');
    const table = page.getByTestId('history');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(6);
    const changes = await table.locator('td.change').allInnerTexts();
    expect(changes.filter((c) => c.startsWith('Network:'))).toHaveLength(3);
    for (const c of changes) expect(c).not.toMatch(/\?|Not recorded/);
    await checkScreen(page, 'history-commission');
    await expectNoKey(page, 'history');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    const rows = parseCsv(csv);
    expect(rows).toHaveLength(6);
    expect(rows.every((r) => r.result === 'done' && r.site === SITE)).toBe(true);
    for (const form of KEY_FORMS) expect(csv.includes(form), 'the key is in the CSV').toBe(false);
  });

  it('re-keys again with the joined LED asked: a device whose LED was not seen needs attention, with what to try', async () => {
    await nav(page, 'Update');
    await page.getByRole('button', { name: 'Start a new batch' }).click();
    await page.getByRole('radio', { name: /Change network settings \(re-key\)/ }).check();
    const fields = page.getByTestId('network-fields');
    await expect.poll(() => fields.getByLabel('Project id').inputValue()).toBe(PROJECT);
    await expect.poll(() => page.getByTestId('net-key-status').textContent()).toMatch(/Key stored in the keychain/);
    await fields.getByLabel('PAN ID').fill('51966');
    await fields.getByLabel('Channel').fill('0x0f');
    await page.getByLabel('Automatic retries per device').fill('0');
    expect(await page.getByRole('checkbox', { name: /"joined" LED/ }).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Re-key 3 devices' }).click();
    await page.getByRole('heading', { level: 2, name: 'Network settings: pan 0xcafe ch 15 aes-ccm-128 (project plant-7)' }).waitFor();
    let refused = '';
    const deadline = Date.now() + 90_000;
    while ((await page.locator('section[data-job]').getAttribute('data-state')) === 'running' || (await page.getByTestId('job-state').textContent()) !== 'finished') {
      if (Date.now() > deadline) throw new Error(`the re-key did not settle:\n${await page.locator('main').innerText()}`);
      const prompt = page.getByTestId('led-prompt').first();
      if (await prompt.isVisible()) {
        expect(await prompt.getAttribute('data-pattern')).toBe('joined');
        if (!refused) {
          refused = (await page.locator('li:has([data-testid="led-prompt"])').first().getAttribute('data-key')) ?? '';
          await prompt.getByRole('button', { name: 'No, it does not' }).click();
        } else await prompt.getByRole('button', { name: 'Yes, it does' }).click();
      } else await page.waitForTimeout(150);
    }
    expect(refused).not.toBe('');
    const row = page.locator(`li[data-key="${refused}"] article.row`);
    expect(await row.getAttribute('data-state')).toBe('needs-attention');
    expect(await row.getByRole('note').textContent()).toMatch(/Needs attention.*What to do: try what the message says/s);
    expect(await page.locator('article.row[data-state="done"]').count()).toBe(2);
    expect(await page.locator('article.row[data-state="failed"]').count()).toBe(0);
    expect(await page.getByTestId('count-attention').textContent()).toBe('1 needs attention');
    expect(await page.getByRole('button', { name: 'Retry failed (1)' }).isVisible()).toBe(true);
    await checkScreen(page, 'update-network-attention');
    await expectNoKey(page, 'needs attention');
    await nav(page, 'Results');
    expect(await page.getByTestId('outcome').textContent()).toContain('2 of 3 on the new settings, 1 not');
    await expectNoKey(page, 'results, needs attention');
  }, 120_000);
});
