import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanA11y } from './a11y';
import { launchBrowser, openPage, screenshot, startApp, stepwise, type RunningApp } from './harness';

/** Demo devices behind the gateway put in update mode for this test. */
const IN_UPDATE = 4;

const nav = (page: Page, name: string) => page.getByRole('navigation').getByRole('button', { name: new RegExp(`^${name}`) }).click();
const texts = (page: Page, selector: string) => page.locator(selector).allInnerTexts();

/** The version cells as numbers to compare, in table order. */
const versionKey = (v: string) => v.trim().split(/[.+]/).map(Number);
const ascending = (vs: string[]) => vs.every((v, i) => i === 0 || compare(versionKey(vs[i - 1]!), versionKey(v)) <= 0);
const compare = (a: number[], b: number[]) => {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? -1) !== (b[i] ?? -1)) return (a[i] ?? -1) - (b[i] ?? -1);
  return 0;
};

describe('the Collect table on the demo site', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;
  /** Requests the page sent to the core, by channel. */
  const sent: string[] = [];
  let updateIds: string[] = [];
  let exception = '';

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
    page = await openPage(browser, app.url);
    page.on('websocket', (ws) =>
      ws.on('framesent', (f) => {
        const m = /"channel":"([^"]+)"/.exec(String(f.payload));
        if (m) sent.push(m[1]!);
      }),
    );
    await page.reload();
  });
  stepwise(() => page, 'collect-table-failure');
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('shows the devices heard as a table, and puts four in update mode from it', { timeout: 90_000 }, async () => {
    await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Start the demo site' }).click();
    await expect.poll(() => page.getByTestId('demo-running').textContent(), { timeout: 20_000 }).toMatch(/running/);
    await nav(page, 'Collect');
    await expect.poll(() => page.locator('article.heard').count(), { timeout: 20_000 }).toBeGreaterThan(12);
    await page.getByRole('group', { name: 'Show the devices as' }).getByRole('button', { name: 'Table' }).click();
    const rows = page.locator('[data-testid="collect-table"] tbody tr[data-device]');
    await expect.poll(() => rows.count()).toBeGreaterThan(12);
    const gateway = await page.locator('tbody tr[data-mode="normal"]').evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { device: string } }).dataset.device));
    // The first four in normal mode, whether behind the gateway or connected directly.
    updateIds = gateway.slice(0, IN_UPDATE);
    for (const id of updateIds) {
      const row = page.locator(`tbody tr[data-device="${id}"]`);
      await row.getByRole('button', { name: /^Demo: magnet \+ OTG/ }).click();
      await expect.poll(() => row.getAttribute('data-mode'), { timeout: 20_000 }).toBe('update');
    }
    // Each device in update mode counts down its 10-minute window.
    for (const id of updateIds) expect(await page.locator(`tbody tr[data-device="${id}"] td.left`).innerText()).toMatch(/^(10:00|9:[0-5]\d) left$/);
  });

  it('sorts by a header click (aria-sort), both ways, from the keyboard too', async () => {
    const header = page.getByRole('columnheader', { name: /^Version/ });
    expect(await header.getAttribute('aria-sort')).toBe('none');
    await header.getByRole('button').click();
    expect(await header.getAttribute('aria-sort')).toBe('ascending');
    expect(ascending(await texts(page, 'tbody td.version'))).toBe(true);
    await header.getByRole('button').focus();
    await page.keyboard.press('Enter');
    expect(await header.getAttribute('aria-sort')).toBe('descending');
    expect(ascending((await texts(page, 'tbody td.version')).reverse())).toBe(true);
    await page.keyboard.press('Enter');
    expect(await header.getAttribute('aria-sort')).toBe('none');
  });

  it('filters by an id (any case), and by mode and board; "choose all shown in update mode" ticks only those, in one request', async () => {
    const filter = page.getByTestId('collect-filter');
    await filter.fill(updateIds[0]!.toUpperCase());
    await expect.poll(() => page.locator('tbody tr[data-device]').count()).toBe(1);
    await filter.fill('');
    await page.getByRole('combobox', { name: 'Mode' }).selectOption('update');
    await expect.poll(() => page.locator('tbody tr[data-device]').count()).toBe(IN_UPDATE);
    const boards = await page.locator('tbody tr[data-device]').evaluateAll((els) => els.map((e) => e.querySelector('td.board')!.textContent!.trim().split(' ')[0]!));
    const board = boards[0]!;
    const ofBoard = boards.filter((b) => b === board).length;
    await page.getByRole('combobox', { name: 'Board' }).selectOption(board);
    const chooseShown = page.getByTestId('choose-shown');
    expect(await chooseShown.innerText()).toBe(`Choose all ${ofBoard} shown in update mode`);
    sent.length = 0;
    await chooseShown.click();
    await expect.poll(() => page.getByTestId('chosen-count').innerText()).toMatch(new RegExp(`^${ofBoard} devices? chosen`));
    expect(sent.filter((c) => c.startsWith('collect:choose'))).toEqual(['collect:choose-many']);
    await page.getByRole('button', { name: 'Show all' }).click();
    // The rest of the update-mode devices, none in normal mode.
    expect(await chooseShown.innerText()).toBe(`Choose all ${IN_UPDATE - ofBoard} in update mode`);
    await chooseShown.click();
    await expect.poll(() => page.getByTestId('chosen-count').innerText()).toMatch(new RegExp(`^${IN_UPDATE} devices chosen`));
    expect(await page.locator('tbody tr[data-mode="normal"] input[type="checkbox"]:checked').count()).toBe(0);
    expect(await chooseShown.isDisabled()).toBe(true);
  });

  it('clears every choice in one request, and chooses them again', async () => {
    sent.length = 0;
    await page.getByTestId('clear-chosen').click();
    await expect.poll(() => page.getByTestId('chosen-count').innerText()).toMatch(/^0 devices chosen/);
    expect(sent.filter((c) => c.startsWith('collect:'))).toEqual(['collect:choose-many']);
    await page.getByTestId('choose-shown').click();
    await expect.poll(() => page.getByTestId('chosen-count').innerText()).toMatch(new RegExp(`^${IN_UPDATE} devices chosen`));
  });

  it('answers every LED at once, with one device picked out as not blinking', async () => {
    const bulk = page.getByTestId('bulk-led');
    expect(await bulk.innerText()).toContain(`${IN_UPDATE} chosen devices have no LED answer yet`);
    exception = updateIds[1]!;
    await page.locator(`tbody tr[data-device="${exception}"]`).getByRole('checkbox', { name: /did not blink$/ }).check();
    const confirm = page.getByTestId('bulk-confirm');
    expect(await confirm.innerText()).toBe('Every device I can see blinks twice (except 1)');
    sent.length = 0;
    await confirm.click();
    await expect.poll(() => bulk.count()).toBe(0);
    expect(sent.filter((c) => c.startsWith('collect:'))).toEqual(['collect:confirm-leds']);
    for (const id of updateIds) {
      const led = await page.locator(`tbody tr[data-device="${id}"] td.led`).innerText();
      expect(led).toMatch(id === exception ? /Not seen/ : /Seen/);
    }
    await expect.poll(() => page.getByTestId('chosen-count').innerText()).toMatch(new RegExp(`^${IN_UPDATE - 1} devices chosen`));
    expect(await page.locator(`tbody tr[data-device="${exception}"]`).getAttribute('data-state')).toBe('led-not-seen');
  });

  it('has no serious accessibility violation, fits 1366×768 without sideways scrolling, and saves a screenshot', async () => {
    await page.evaluate(() => (globalThis as unknown as { scrollTo: (x: number, y: number) => void }).scrollTo(0, 0));
    await screenshot(page, 'collect-table-demo');
    const report = await scanA11y(page);
    expect(report.violations, report.summary).toEqual([]);
    const overflow = await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document;
      return doc.documentElement.scrollWidth - doc.documentElement.clientWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
  });

  it('keeps the choices, the LED answers and the table layout after a reload', async () => {
    await page.reload();
    await nav(page, 'Collect');
    await expect.poll(() => page.locator('tbody tr[data-device]').count(), { timeout: 20_000 }).toBeGreaterThan(12);
    await expect.poll(() => page.getByTestId('chosen-count').innerText()).toMatch(new RegExp(`^${IN_UPDATE - 1} devices chosen`));
    for (const id of updateIds) {
      const row = page.locator(`tbody tr[data-device="${id}"]`);
      expect(await row.locator('td.led').innerText()).toMatch(id === exception ? /Not seen/ : /Seen/);
      expect(await row.locator('input[type="checkbox"]').first().isChecked()).toBe(id !== exception);
    }
    await page.getByRole('group', { name: 'Show the devices as' }).getByRole('button', { name: 'Cards' }).click();
    await page.reload();
    await nav(page, 'Collect');
    await expect.poll(() => page.locator('article.heard').count(), { timeout: 20_000 }).toBeGreaterThan(12);
  });

  it('shows the radio time of the chosen gateway devices under Advanced on the Update setup, and refuses an out-of-range batch size', { timeout: 60_000 }, async () => {
    await page.getByRole('group', { name: 'Show the devices as' }).getByRole('button', { name: 'Table' }).click();
    await nav(page, 'Releases');
    await page.getByRole('button', { name: 'Add the demo release' }).click();
    await expect.poll(() => page.getByTestId('bundle').count(), { timeout: 20_000 }).toBe(1);
    await nav(page, 'Update');
    const advanced = page.getByTestId('gateway-batch');
    await advanced.getByText('Advanced: gateway batches').click();
    const gatewayChosen = (await page.locator('ul.chosen li', { hasText: 'through the gateway' }).count());
    expect(gatewayChosen).toBeGreaterThan(0);
    await page.getByLabel('Devices per radio batch').fill('2');
    const batches = Math.ceil(gatewayChosen / 2);
    await expect.poll(() => page.getByTestId('radio-time').innerText(), { timeout: 10_000 }).toMatch(new RegExp(`of radio time for ${gatewayChosen} devices? in ${batches === 1 ? '1 batch' : `${batches} batches`} of 2 \\(20 % redundancy\\)`));
    await page.getByLabel('Devices per radio batch').fill('0');
    await expect.poll(() => page.getByTestId('radio-time').innerText()).toBe('Devices per radio batch: a whole number from 1 to 100.');
    // The start button says it is blocked (aria-disabled) and why.
    expect(await page.locator('form.setup button[type="submit"]').getAttribute('aria-disabled')).toBe('true');
    expect(await page.getByTestId('start-blocker').innerText()).toMatch(/Correct the gateway batch settings under Advanced/);
    expect(await page.locator('article.row').count()).toBe(0);
    await screenshot(page, 'update-setup-advanced');
  });
});
