import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, resultsDir, screenshot, startApp, stepwise, type RunningApp } from './harness';

const root = resolve(import.meta.dirname, '..', '..');
const SITE = 'Demo plant, hall C';
const TECHNICIAN = 'Robin Report';
const DEVICES = 2;

const nav = (page: Page, name: string) => page.getByRole('navigation').getByRole('button', { name: new RegExp(`^${name}`) }).click();

/** The built `siteflash` on the app's own data folder, as a technician would run it. */
function cli(dataDir: string, args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((done) =>
    execFile(process.execPath, [join(root, 'main', 'cli', 'bin.js'), ...args], { env: { ...process.env, SITEFLASH_DATA_DIR: dataDir } }, (err, stdout) =>
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout }),
    ),
  );
}

describe('a demo visit ends with "Export the visit report", and the report verifies', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;
  const chosen: string[] = [];
  let reportPath = '';

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
    page = await openPage(browser, app.url);
  });
  stepwise(() => page, 'visit-report-failure');
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('shows the laptop key fingerprint on Home and Releases', async () => {
    await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
    await expect.poll(() => page.getByTestId('laptop-key').textContent(), { timeout: 20_000 }).toMatch(/([0-9a-f]{4} ){15}[0-9a-f]{4}/);
    const shown = ((await page.getByTestId('laptop-key').textContent()) ?? '').match(/([0-9a-f]{4} ?){16}/)?.[0]?.replace(/ /g, '');
    const cliKey = await cli(app.dataDir, ['keys', 'laptop', '--json']);
    expect(cliKey.code).toBe(0);
    expect(shown).toBe((JSON.parse(cliKey.stdout) as { fingerprint: string }).fingerprint);
    await page.getByLabel('Site being worked on').fill(SITE);
    await page.getByLabel('Technician').fill(TECHNICIAN);
    await page.getByRole('button', { name: 'Save site and name' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    await page.getByRole('button', { name: 'Start the demo site' }).click();
    await expect.poll(() => page.getByTestId('demo-running').textContent(), { timeout: 20_000 }).toMatch(/running/);
    await nav(page, 'Releases');
    await page.getByRole('button', { name: 'Add the demo release' }).click();
    await expect.poll(() => page.getByTestId('bundle').count(), { timeout: 20_000 }).toBe(1);
    expect((await page.getByTestId('laptop-key').textContent())?.replace(/ /g, '')).toContain(shown);
  }, 60_000);

  it('collects two devices behind the gateway and updates them', async () => {
    await nav(page, 'Collect');
    const cards = page.locator('article.heard');
    await expect.poll(() => cards.filter({ hasText: 'Through the gateway' }).count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(DEVICES);
    for (let i = 0; i < DEVICES; i += 1) {
      const candidates = await cards
        .filter({ hasText: 'Through the gateway' })
        .and(page.locator('[data-mode="normal"]'))
        .evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { device: string; board: string } }).dataset));
      const next = candidates.find((c) => c.board === 'sf-sensor-t');
      if (!next) throw new Error('no sf-sensor-t device left in normal mode');
      const card = page.locator(`article.heard[data-device="${next.device}"]`);
      await card.getByRole('button', { name: /^Demo: magnet \+ OTG/ }).click();
      await expect.poll(() => card.getAttribute('data-mode'), { timeout: 20_000 }).toBe('update');
      await card.getByRole('button', { name: 'Yes, it does' }).click();
      chosen.push(next.device);
    }
    await page.getByRole('button', { name: 'Next: update the chosen devices' }).click();
    await page.getByRole('heading', { name: 'Update', level: 1 }).waitFor();
    await page.getByRole('button', { name: `Start updating ${DEVICES} devices` }).click();
    const results = page.getByRole('button', { name: 'See the results' });
    const deadline = Date.now() + 150_000;
    while (!(await results.isVisible())) {
      if (Date.now() > deadline) throw new Error(`the batch did not settle:\n${await page.locator('main').innerText()}`);
      const prompt = page.getByTestId('led-prompt').first();
      if (await prompt.isVisible()) await prompt.getByRole('button', { name: 'Yes, it does' }).click();
      else await page.waitForTimeout(150);
    }
    await results.click();
    await page.getByRole('heading', { name: 'Results', level: 1 }).waitFor();
  }, 180_000);

  it('exports the visit report: the JSON and its signature download, and both openssl and siteflash verify them', async () => {
    const downloads: Promise<Download>[] = [page.waitForEvent('download'), page.waitForEvent('download', (d) => d.suggestedFilename().endsWith('.sig'))];
    await page.getByRole('button', { name: 'Export the visit report' }).click();
    const [json, sig] = await Promise.all(downloads);
    expect(json?.suggestedFilename()).toMatch(/^visit-report-.*_demo-plant-hall-c_robin-report\.json$/);
    await page.getByTestId('exported').filter({ hasText: 'Visit report saved' }).waitFor();
    await screenshot(page, 'results-visit-report');
    reportPath = join(app.dataDir, json!.suggestedFilename());
    copyFileSync((await json!.path())!, reportPath);
    copyFileSync((await sig!.path())!, `${reportPath}.sig`);
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as {
      visit: { site: string; technician: string };
      jobs: { release: { bundleId: string | null; manifestSha256: string | null } }[];
      devices: { deviceId: string; result: string; ledAnswers: { pattern: string; at: number }[]; startedAt: number; at: number }[];
      laptopKey: { publicKeyPem: string };
    };
    expect(report.visit).toMatchObject({ site: SITE, technician: TECHNICIAN });
    expect(report.jobs[0]?.release.bundleId).toBeTruthy();
    expect(report.jobs[0]?.release.manifestSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(report.devices.map((d) => `${d.deviceId}:${d.result}`).sort()).toEqual(chosen.map((id) => `${id}:done`).sort());
    for (const d of report.devices) expect(d.ledAnswers.map((a) => a.pattern)).toContain('joined');

    const ours = await cli(app.dataDir, ['report', 'verify', reportPath]);
    expect(ours.code, ours.stdout).toBe(0);
    expect(ours.stdout).toContain("Every device row is in this laptop's audit log");
    const pub = join(app.dataDir, 'laptop.pub.pem');
    writeFileSync(pub, report.laptopKey.publicKeyPem);
    const openssl = (file: string) => {
      try {
        return execFileSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', pub, '-rawin', '-in', file, '-sigfile', `${reportPath}.sig`], { encoding: 'utf8', stdio: 'pipe' });
      } catch (err) {
        return String((err as { stdout?: unknown }).stdout ?? err);
      }
    };
    expect(openssl(reportPath)).toContain('Signature Verified Successfully');
    const changed = Buffer.from(readFileSync(reportPath));
    const at = changed.indexOf(Buffer.from(TECHNICIAN));
    changed[at] = (changed[at] as number) ^ 0x20; // Robin → robin
    const changedPath = join(app.dataDir, 'changed.json');
    writeFileSync(changedPath, changed);
    expect(openssl(changedPath)).not.toContain('Signature Verified Successfully');
    expect((await cli(app.dataDir, ['report', 'verify', changedPath, '--sig', `${reportPath}.sig`])).code).toBe(1);
  }, 60_000);

  it('saves the visit report as a PDF printed by Chromium, holding every device row', async () => {
    const [pdf] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.getByRole('button', { name: 'Visit report as PDF' }).click()]);
    const path = join(app.dataDir, 'report.pdf');
    copyFileSync((await pdf.path())!, path);
    expect(readFileSync(path).subarray(0, 5).toString()).toBe('%PDF-');
    const text = execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });
    expect(text).toContain(`Visit report — ${SITE}`);
    for (const id of chosen) expect(text).toContain(id);
    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', path, join(resultsDir, 'visit-report-pdf-page1')]);
  }, 150_000);
});
