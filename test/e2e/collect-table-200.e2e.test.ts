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
    expect(await page.locator('tbody tr').count()).toBe(200);
    expect(await page.getByRole('columnheader', { name: /^Gateway/ }).count()).toBe(1);
    expect(await page.locator('tbody .flag', { hasText: 'not on the list' }).count()).toBeGreaterThan(0);
    await shot(page, 'collect-table-200');
    const report = await scanA11y(page);
    expect(report.violations, report.summary).toEqual([]);
    const overflow = await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document;
      return doc.documentElement.scrollWidth - doc.documentElement.clientWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
  });

  it('keeps the header in view while the rows scroll under it, and every tick box is at least 44 px for a gloved finger', async () => {
    await page.mouse.wheel(0, 4000);
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as { scrollY: number }).scrollY)).toBeGreaterThan(1000);
    const head = await page.locator('thead th').first().boundingBox();
    expect(head!.y).toBeGreaterThanOrEqual(-1);
    expect(head!.y).toBeLessThan(5);
    const sizes = await page.locator('tbody label.tick').evaluateAll((els) => els.map((e) => (e as unknown as { getBoundingClientRect(): { width: number; height: number } }).getBoundingClientRect()));
    expect(Math.min(...sizes.map((s) => Math.min(s.width, s.height)))).toBeGreaterThanOrEqual(44);
    await shot(page, 'collect-table-200-scrolled');
  });

  it('filters 200 rows by a gateway name and counts what is shown on the choose button', async () => {
    await page.getByTestId('collect-filter').fill('gateway roof');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(66);
    const inUpdate = await page.locator('tbody tr[data-mode="update"]').count();
    expect(await page.getByTestId('choose-shown').innerText()).toMatch(new RegExp(`^Choose all \\d+ shown in update mode$`));
    const n = Number(/\d+/.exec(await page.getByTestId('choose-shown').innerText())![0]);
    expect(n).toBeLessThanOrEqual(inUpdate);
    expect(n).toBeGreaterThan(0);
  });
});
