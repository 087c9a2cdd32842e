import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanA11y } from './a11y';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, resultsDir, startApp, type RunningApp } from './harness';

/** A screenshot of what a 1366×768 window shows (not the whole page), in test-results/. */
const shot = (page: Page, name: string) => (mkdirSync(resultsDir, { recursive: true }), page.screenshot({ path: join(resultsDir, `${name}.png`) }));

/** The Collect table alone with 200 made-up devices on three gateways (gallery.html?collect-table=200). */
describe('the Collect table with 200 devices', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await page.goto(`${app.origin}/gallery.html?collect-table=200`);
    await page.getByTestId('collect-table').waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('shows all 200 with the gateway and site-list columns, no serious accessibility violation, no sideways scrolling', async () => {
    expect(await page.getByTestId('table-count').innerText()).toBe('Showing 200 of 200 devices');
    expect(await page.getByRole('table').getAttribute('aria-rowcount')).toBe('201');
    // Only the rows in view (and a few either side) are in the page.
    const rendered = await page.locator('tbody tr[data-device]').count();
    expect(rendered).toBeGreaterThanOrEqual(10);
    expect(rendered).toBeLessThan(60);
    expect(await page.getByRole('columnheader', { name: /^Gateway/ }).count()).toBe(1);
    expect(await page.locator('tbody .flag', { hasText: 'not listed' }).count()).toBeGreaterThan(0);
    await shot(page, 'collect-table-200');
    const report = await scanA11y(page);
    expect(report.violations, report.summary).toEqual([]);
    const overflow = await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document;
      return doc.documentElement.scrollWidth - doc.documentElement.clientWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
  });

  it('keeps the header in view while the rows scroll under it, renders the rows scrolled to, and every tick box is at least 44 px for a gloved finger', async () => {
    const box = page.getByTestId('collect-table');
    await box.hover();
    await page.mouse.wheel(0, 6000);
    await expect.poll(() => box.evaluate((e) => (e as unknown as { scrollTop: number }).scrollTop)).toBeGreaterThan(3000);
    const head = (await page.locator('thead th').first().boundingBox())!;
    const frame = (await box.boundingBox())!;
    expect(head.y - frame.y).toBeGreaterThanOrEqual(0);
    expect(head.y - frame.y).toBeLessThan(5);
    // The rows under the header are the ones scrolled to, not the first ones.
    await expect.poll(async () => Number(await page.locator('tbody tr[data-device]').first().getAttribute('aria-rowindex'))).toBeGreaterThan(40);
    const sizes = await page.locator('tbody label.tick').evaluateAll((els) => els.map((e) => (e as unknown as { getBoundingClientRect(): { width: number; height: number } }).getBoundingClientRect()));
    expect(Math.min(...sizes.map((s) => Math.min(s.width, s.height)))).toBeGreaterThanOrEqual(44);
    await shot(page, 'collect-table-200-scrolled');
  });

  it('filters 200 rows by a gateway name and counts what is shown on the choose button', async () => {
    await page.getByTestId('collect-table').evaluate((e) => ((e as unknown as { scrollTop: number }).scrollTop = 0));
    await page.getByTestId('collect-filter').fill('gateway roof');
    await expect.poll(() => page.getByTestId('table-count').innerText()).toBe('Showing 66 of 200 devices');
    expect(await page.getByTestId('choose-shown').innerText()).toMatch(/^Choose all \d+ shown in update mode$/);
    const n = Number(/\d+/.exec(await page.getByTestId('choose-shown').innerText())![0]);
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(66);
  });
});
