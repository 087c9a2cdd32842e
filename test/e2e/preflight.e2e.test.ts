import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanA11y } from './a11y';
import { launchBrowser, openPage, resultsDir, startApp, type RunningApp } from './harness';

const IDS = ['bluetooth', 'serial', 'hid', 'keychain', 'disk', 'clock', 'release'];
const WORDS = { ok: 'OK', warn: 'Warning', fail: 'Failed', unknown: 'Unknown' } as const;

describe('the preflight checklist on Home (browser host, real checks of this computer)', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
    page = await openPage(browser, app.url);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('lists every check with its status as a word, and the fix on each line that is not ok', async () => {
    const panel = page.getByRole('region', { name: 'Preflight checklist' });
    await panel.getByText(/^Checked at/).waitFor({ timeout: 30_000 });
    for (const id of IDS) {
      const row = panel.getByTestId(`preflight-${id}`);
      const status = (await row.getAttribute('data-status')) as keyof typeof WORDS;
      expect(Object.keys(WORDS)).toContain(status);
      await expect.poll(() => row.innerText()).toContain(WORDS[status]);
      if (status !== 'ok') expect(await row.innerText()).toContain('Fix:');
    }
    // This machine has no Bluetooth adapter, and no site was prepared.
    expect(await panel.getByTestId('preflight-bluetooth').getAttribute('data-status')).not.toBe('ok');
    const release = panel.getByTestId('preflight-release');
    expect(await release.getAttribute('data-status')).toBe('unknown');
    expect(await release.innerText()).toContain('Prepare the visit while online');
  }, 60_000);

  it('keeps "Start the demo site" on screen at 1366×768, and the checklist below it', async () => {
    const start = page.getByRole('button', { name: 'Start the demo site' });
    const box = await start.boundingBox();
    expect(box).not.toBeNull();
    expect(box!.y + box!.height).toBeLessThanOrEqual(768);
    const panel = await page.getByRole('region', { name: 'Preflight checklist' }).boundingBox();
    expect(panel!.y).toBeGreaterThan(box!.y);
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: join(resultsDir, 'home-preflight-1366x768.png') });
    await page.getByRole('region', { name: 'Preflight checklist' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(resultsDir, 'home-preflight-checklist.png') });
  });

  it('"Check again" runs the checks again', async () => {
    const panel = page.getByRole('region', { name: 'Preflight checklist' });
    const before = await panel.getByText(/^Checked at/).innerText();
    await page.waitForTimeout(1100);
    await panel.getByRole('button', { name: 'Check again' }).click();
    await expect.poll(() => panel.getByText(/^Checked at/).innerText(), { timeout: 30_000 }).not.toBe(before);
    expect(await panel.getByRole('button', { name: 'Check again' }).isEnabled()).toBe(true);
  }, 60_000);

  it('has no serious accessibility violations', async () => {
    const report = await scanA11y(page, { runOnly: ['wcag2a', 'wcag2aa'] });
    expect(report.violations, report.summary).toEqual([]);
  });
});
