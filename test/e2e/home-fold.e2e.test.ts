import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, resultsDir, startApp, type RunningApp } from './harness';

describe('Home at the 1366×768 laptop size', () => {
  let app: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('shows "Start the demo site" without scrolling', async () => {
    const page = await openPage(browser, app.url);
    const start = page.getByRole('button', { name: 'Start the demo site' });
    await start.waitFor();
    // What the technician sees on opening: the viewport only, not the whole page.
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: join(resultsDir, 'home-1366x768.png') });
    const box = await start.boundingBox();
    const scrolled = await page.evaluate(() => (globalThis as unknown as { scrollY: number }).scrollY);
    expect(scrolled).toBe(0);
    expect(box).not.toBeNull();
    expect(box!.y).toBeGreaterThanOrEqual(0);
    expect(box!.y + box!.height).toBeLessThanOrEqual(768);
  }, 60_000);
});
