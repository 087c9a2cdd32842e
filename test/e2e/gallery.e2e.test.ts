import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { scanA11y } from './a11y';
import { launchBrowser, screenshot, startApp, type RunningApp } from './harness';

describe('the component gallery', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;
  const cspViolations: string[] = [];

  beforeAll(async () => {
    app = await startApp();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    await page.goto(`${app.origin}/gallery.html`);
    await page.getByRole('heading', { name: 'Component gallery' }).waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('has no serious or critical accessibility violations, and saves a screenshot', async () => {
    const report = await scanA11y(page);
    await screenshot(page, 'gallery');
    expect(report.violations, report.summary).toEqual([]);
  });

  it('walks the update-mode steps with the keyboard alone, and says Done on the last one', async () => {
    const next = page.getByRole('button', { name: 'Next' });
    const status = page.getByTestId('steps-state');
    await next.focus();
    const image = page.locator('.update-mode img');
    const images = new Set<string>();
    const seeImage = async () => {
      // Each illustration must actually load under the app's CSP (img-src 'self' data: blob:).
      await expect
        .poll(() => image.evaluate((node) => (node as unknown as { naturalWidth: number }).naturalWidth))
        .toBeGreaterThan(0);
      images.add((await image.getAttribute('src')) ?? '');
    };
    for (let i = 1; i <= 3; i += 1) {
      await seeImage();
      await page.keyboard.press('Enter');
      await expect.poll(() => status.textContent()).toBe(`Step index ${i}`);
    }
    await seeImage();
    expect(images.size).toBe(4);
    await expect.poll(() => page.getByText('Step 4 of 4: Check the LED').isVisible()).toBe(true);
    // The same button, still focused, now finishes.
    await expect.poll(async () => (await page.locator(':focus').textContent())?.trim()).toBe('Done');
    await page.keyboard.press('Enter');
    await expect.poll(() => status.textContent()).toBe('Step index 3, finished');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => status.textContent()).toBe('Step index 2, finished');
    await expect.poll(() => page.locator('.update-mode li[aria-current="step"]').textContent()).toContain('Take the OTG adapter out');
  });

  it("reports the technician's answer to the LED question", async () => {
    const question = page.getByRole('region', { name: 'Does the LED on Sensor hall A-01 show this?' });
    await question.getByRole('button', { name: 'No, it does not' }).click();
    await expect.poll(() => page.getByTestId('led-answer').textContent()).toBe('Last answer: no');
    await question.getByRole('button', { name: 'Yes, it does' }).click();
    await expect.poll(() => page.getByTestId('led-answer').textContent()).toBe('Last answer: yes');
  });

  it('plays a once-only pattern again from the start on "Show me again"', async () => {
    const question = page.getByRole('region', { name: 'Does the LED on Pump room meter show this?' });
    const finished = question.getByText('Finished: the LED is off now.');
    // joined is on for 3 s, then off for good.
    await expect.poll(() => finished.isVisible(), { timeout: 8000 }).toBe(true);
    expect(await question.locator('svg.lamp').getAttribute('data-lit')).toBe('false');
    await question.getByRole('button', { name: 'Show me again' }).click();
    await expect.poll(() => finished.count()).toBe(0);
    await expect.poll(() => question.locator('svg.lamp').getAttribute('data-lit')).toBe('true');
    expect(await page.getByTestId('led-replays').textContent()).toBe('Replays asked for: 1');
  });

  it('blinks the LED in real time: the receiving LED is seen both lit and dark', async () => {
    const lamp = page.locator('figure[data-pattern="receiving"] svg.lamp').first();
    const seen = new Set<string>();
    await expect
      .poll(async () => {
        seen.add((await lamp.getAttribute('data-lit')) ?? '');
        return seen.size;
      }, { interval: 120, timeout: 5000 })
      .toBe(2);
  });

  it('shows timelines instead of blinking when the system asks for reduced motion', async () => {
    const reduced = await browser.newPage({ viewport: { width: 1366, height: 768 }, reducedMotion: 'reduce' });
    try {
      await reduced.goto(`${app.origin}/gallery.html`);
      await expect.poll(() => reduced.locator('figure.led .timeline').count()).toBeGreaterThan(0);
      expect(await reduced.locator('svg.lamp').count()).toBe(0);
      await screenshot(reduced, 'gallery-reduced-motion');
    } finally {
      await reduced.close();
    }
  });

  it('gives every progress bar a name and a value a screen reader can read', async () => {
    const bars = page.getByRole('progressbar');
    expect(await bars.count()).toBeGreaterThan(4);
    const transfer = page.getByRole('progressbar', { name: 'Image transfer for Sensor hall A-02' });
    expect(await transfer.getAttribute('aria-valuenow')).toBe('45');
    expect(await transfer.getAttribute('aria-valuetext')).toBe('45 %, 118 kB of 262 kB');
  });

  it('is checked by a scan that does catch a serious violation when there is one', async () => {
    const broken = await browser.newPage();
    try {
      await broken.goto(`${app.origin}/gallery.html`);
      await broken.getByRole('heading', { name: 'Component gallery' }).waitFor();
      await broken.evaluate(() => {
        const doc = (globalThis as unknown as { document: { querySelector(s: string): { insertAdjacentHTML(p: string, h: string): void } } }).document;
        doc.querySelector('main')!.insertAdjacentHTML('beforeend', '<button type="button" id="nameless"></button>');
      });
      const report = await scanA11y(broken);
      expect(report.violations.map((v) => v.id)).toContain('button-name');
      expect(report.summary).toContain('#nameless');
    } finally {
      await broken.close();
    }
  });

  it('raised no Content Security Policy violation while in use', () => {
    expect(cspViolations).toEqual([]);
  });
});
