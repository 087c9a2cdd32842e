/**
 * A real site's shape in the browser host, no demo site: three simulated gateways on ptys with 65
 * devices each behind their radios (195), plus five devices connected directly on ptys. The release has
 * an image for the gateways' own board, so each gateway is updated first, then its devices; the
 * three gateways' batches run at the same time. Every device ends updated.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage, seededBody } from '../../main/image/build';
import { buildBundle, writeBundleFolder } from '../../main/image/bundle-build';
import { startFleet, type Fleet } from '../../main/sim/fleet';
import { startGatewayHost, type GatewayHost } from '../../main/sim/gateway-host';
import { fieldVersionText } from '../../main/sim/slot-image';
import { testSigningKeys } from '../main/image/signing-keys';
import { launchBrowser, openPage, resultsDir, screenshot, startApp, stepwise, type RunningApp } from './harness';

const PER_GATEWAY = 65;
const DIRECT = 5;
const ALL = 3 * PER_GATEWAY + DIRECT;
const FAST = { processingMs: 0, eraseMsPerSector: 0.2, writeBytesPerMs: 20_000, resetDelayMs: 10, bootMs: 40, swapMsPerSector: 0.2 };
const nav = (page: Page, name: string) => page.getByRole('navigation').getByRole('button', { name: new RegExp(`^\\d? ?${name}`) }).click();

describe(`three gateways with ${PER_GATEWAY} devices each and ${DIRECT} direct devices, gateways first`, () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;
  let fleet: Fleet;
  const gateways: GatewayHost[] = [];
  const figures: string[] = [];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'siteflash-e2e-gateways-'));
    fleet = await startFleet({ count: DIRECT, board: 'sf-dev-1', version: '1.0.0+0', baud: 115200, dir, seed: 7, device: { timing: { ...FAST, baud: 115200 } } });
    for (let i = 0; i < 3; i++) {
      gateways.push(
        await startGatewayHost({
          devices: [{ board: 'sf-dev-1', count: PER_GATEWAY, version: '1.0.0+0', device: { timing: { ...FAST, baud: 115200 } } }],
          // The gateway's own serial line at 115200 baud: its own image takes some seconds, long enough to be seen installing.
          baud: 115200,
          dir,
          name: `gateway-${i + 1}`,
          id: `5f1a6a7e0000000${i + 1}`,
          firstDevice: i * PER_GATEWAY,
          seed: i + 1,
          // A scan answer listing 65 devices (~4.5 KB) does not fit the default 4 KiB SMP buffer (the gateway answers ENOMEM).
          bufSize: 16_384,
          radio: { bitRate: 2_000_000, dutyCycle: 1 },
          timing: FAST,
        }),
      );
    }
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
    page = await openPage(browser, app.url);
  }, 120_000);
  stepwise(() => page, 'several-gateways-failure');
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await fleet?.stop();
    for (const g of gateways) await g.stop();
    if (figures.length) console.log(figures.join('\n'));
  });

  it('imports a release with images for the devices and for the gateways themselves', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'siteflash-e2e-gw-release-'));
    const keys = testSigningKeys(app.dataDir);
    const dev = buildImage({ body: seededBody('e2e-dev', 6000), version: '1.1.0', signingKey: keys.image, board: 'sf-dev-1' });
    const gw = buildImage({ body: seededBody('e2e-gw', 60_000), version: '2.1.0', signingKey: keys.image, board: 'sf-gw-2' });
    await writeBundleFolder(
      join(dir, 'bundle'),
      buildBundle({ id: 'site-gateways', systemVersion: '2026.12.0', created: '2026-12-01T00:00:00Z', releaseKey: keys.release, components: [{ board: 'sf-dev-1', hwRevisions: ['1'], name: 'dev.bin', image: dev }, { board: 'sf-gw-2', hwRevisions: ['1'], name: 'gw.bin', image: gw }] }),
    );
    execFileSync('tar', ['-cf', join(dir, 'release.tar'), '-C', join(dir, 'bundle'), '.']);
    await nav(page, 'Releases');
    await page.locator('input[type=file][aria-label="Import a release file…"]').setInputFiles(join(dir, 'release.tar'));
    await expect.poll(() => page.getByTestId('bundle').count(), { timeout: 60_000 }).toBe(1);
  }, 90_000);

  it('adds the ports and connects the three gateways, each listed with its port, board, firmware and state', async () => {
    await nav(page, 'Connect');
    for (const path of [...gateways.map((g) => g.clientPath), ...fleet.members.map((m) => m.clientPath)]) {
      await page.getByLabel('Add a port by path').fill(path);
      await page.getByRole('button', { name: 'Add port' }).click();
      await expect.poll(() => page.getByRole('row', { name: new RegExp(path) }).count(), { timeout: 30_000 }).toBe(1);
    }
    for (const [i, g] of gateways.entries()) {
      await page.getByLabel(i === 0 ? 'Serial port of the gateway' : 'Serial port of another gateway').selectOption(g.clientPath);
      await page.getByRole('button', { name: i === 0 ? 'Connect the gateway' : 'Connect another gateway' }).click();
      await expect.poll(() => page.getByTestId('gateway-panel').getAttribute('data-count'), { timeout: 30_000 }).toBe(String(i + 1));
    }
    const cards = page.getByTestId('gateway-card');
    expect(await cards.evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { gateway: string; state: string } }).dataset))).toEqual(gateways.map((g) => ({ testid: 'gateway-card', gateway: g.sim.gateway.id, state: 'ready' })));
    for (const g of gateways) {
      const text = await cards.filter({ hasText: g.sim.gateway.id }).innerText();
      expect(text).toContain(g.clientPath);
      expect(text).toContain('sf-gw-2');
      expect(text).toContain('2.0.0+0');
    }
    await screenshot(page, 'several-gateways-connect');
    await page.screenshot({ path: join(resultsDir, 'several-gateways-connect-1366x768.png') });
  }, 120_000);

  it(`collects all ${ALL} devices, each labelled with the gateway that heard it, and chooses them all`, async () => {
    for (const m of fleet.members) m.device.enterUpdateMode();
    await nav(page, 'Collect');
    const cards = page.locator('article.heard[data-mode="update"]');
    await expect.poll(() => cards.count(), { timeout: 90_000, interval: 1000 }).toBe(ALL);
    const where = Object.fromEntries(await page.locator('article.heard').evaluateAll((els) => els.map((e) => [(e as unknown as { dataset: { device: string } }).dataset.device, (e as unknown as { dataset: { gateway: string } }).dataset.gateway])));
    for (const g of gateways) for (const d of g.sim.devices) expect(where[d.id]).toBe(g.sim.gateway.id);
    for (const m of fleet.members) expect(where[m.device.id]).toBe('direct');
    const summary = page.getByTestId('heard-by-gateway');
    expect(await summary.locator('li').evaluateAll((els) => els.map((e) => e.textContent?.replace(/\s+/g, ' ').trim()))).toEqual(
      expect.arrayContaining([...gateways.map((g) => expect.stringContaining(`…${g.sim.gateway.id.slice(-4)}`)), `Connected directly: ${DIRECT} heard, ${DIRECT} in update mode`]),
    );
    const started = Date.now();
    for (const id of Object.keys(where)) await page.locator(`article.heard[data-device="${id}"]`).getByRole('button', { name: 'Yes, it does' }).click();
    figures.push(`choosing ${ALL} devices one LED answer at a time: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await expect.poll(() => page.getByTestId('chosen-count').textContent()).toContain(`${ALL} devices chosen`);
  }, 600_000);

  it('updates each gateway first, showing its LED and the do-not-power-off warning, then all devices', async () => {
    await page.getByRole('button', { name: 'Next: update the chosen devices' }).click();
    await page.getByLabel(/Ask me to confirm the LED before sending/).uncheck();
    const started = Date.now();
    await page.getByRole('button', { name: `Start updating ${ALL} devices` }).click();
    const warning = page.getByTestId('gateway-power-warning');
    await expect.poll(() => warning.isVisible(), { timeout: 60_000, interval: 200 }).toBe(true);
    expect(await warning.innerText()).toContain('Do not power off the gateway while its LED blinks');
    // In sight at 1366×768 without scrolling, wherever the Start button was.
    const box = await warning.boundingBox();
    expect(box && box.y >= 0 && box.y + box.height <= 768).toBe(true);
    await page.screenshot({ path: join(resultsDir, 'several-gateways-gateway-first-1366x768.png') });
    const results = page.getByRole('button', { name: 'See the results' });
    await expect.poll(() => results.isVisible(), { timeout: 900_000, interval: 2000 }).toBe(true);
    figures.push(`${ALL} devices behind 3 gateways + direct, gateways first: job settled after ${((Date.now() - started) / 1000).toFixed(0)} s`);
    await screenshot(page, 'several-gateways-done');
    const states = await page.locator('article.row').evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { state: string } }).dataset.state));
    expect(states).toEqual(Array(3 + ALL).fill('done'));
    for (const g of gateways) {
      expect(fieldVersionText(g.sim.gateway.flash.image(0)!.version)).toBe('2.1.0+0');
      for (const d of g.sim.devices) expect(fieldVersionText(d.flash.image(0)!.version)).toBe('1.1.0+0');
    }
    for (const m of fleet.members) expect(fieldVersionText(m.device.flash.image(0)!.version)).toBe('1.1.0+0');
    expect(await page.getByTestId('gateway-first').innerText()).not.toContain('Do not power off');
  }, 1_000_000);
});
