import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../main/links/clock';
import { startFleet, type Fleet } from '../../main/sim/fleet';
import { createSimGateway, type SimGateway } from '../../main/sim/gateway';
import { attachSerialPort, type SerialAttachment } from '../../main/sim/serial-host';
import { SimTransport } from '../../main/sim/sim-transport';
import { fieldVersionText } from '../../main/sim/slot-image';
import { openPtyPair, type PtyPair } from '../pty';
import { importSiteRelease } from './site-release';
import { launchBrowser, openPage, screenshot, startApp, stepwise, type RunningApp } from './harness';

const nav = (page: Page, name: string) => page.getByRole('navigation').getByRole('button', { name: new RegExp(`^\\d? ?${name}`) }).click();

/** One job for a device connected directly and two behind a simulated gateway on a pty; no demo site. */
describe('one job mixing a direct device and devices behind a gateway', () => {
  const FAST = { processingMs: 0, eraseMsPerSector: 0.2, writeBytesPerMs: 20_000, resetDelayMs: 10, bootMs: 40, swapMsPerSector: 0.2 };
  let app: RunningApp;
  let browser: Browser;
  let page: Page;
  let fleet: Fleet;
  let sim: SimGateway;
  let pty: PtyPair;
  let transport: SimTransport;
  let port: SerialAttachment;

  beforeAll(async () => {
    fleet = await startFleet({ count: 1, board: 'sf-sensor-t', version: '1.4.2+0', baud: 115200, dir: mkdtempSync(join(tmpdir(), 'siteflash-e2e-mixed-')), device: { hwRev: 'B' } });
    sim = createSimGateway({
      clock: systemClock,
      devices: [{ board: 'sf-sensor-t', count: 2, version: '1.4.2+0', device: { hwRev: 'A', timing: { ...FAST, baud: 115200 } } }],
      radio: { bitRate: 2_000_000, dutyCycle: 1 },
      timing: { ...FAST, baud: 115200 },
    });
    pty = await openPtyPair();
    transport = new SimTransport(sim.gateway, { framing: 'serial', clock: systemClock, banner: false });
    port = await attachSerialPort(transport, pty.a, 115200);
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
    page = await openPage(browser, app.url);
  }, 60_000);
  stepwise(() => page, 'mixed-job-failure');
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await fleet?.stop();
    await port?.close();
    transport?.dispose();
    await pty?.close();
    sim?.dispose();
  });

  it('adds the release, the ports, and connects the gateway', async () => {
    await nav(page, 'Releases');
    await importSiteRelease(page, app.dataDir);
    await nav(page, 'Connect');
    for (const path of [fleet.members[0]!.clientPath, pty.b]) {
      await page.getByLabel('Add a port by path').fill(path);
      await page.getByRole('button', { name: 'Add port' }).click();
      await expect.poll(() => page.getByRole('row', { name: new RegExp(path) }).count()).toBe(1);
    }
    await page.getByLabel('Serial port of the gateway').selectOption(pty.b);
    await page.getByRole('button', { name: 'Connect the gateway' }).click();
    await expect.poll(() => page.getByTestId('gateway-panel').getAttribute('data-connected'), { timeout: 20_000 }).toBe('true');
  }, 90_000);

  it('collects all three, confirming each LED', async () => {
    fleet.members[0]!.device.enterUpdateMode();
    await nav(page, 'Collect');
    const ids = [fleet.members[0]!.device.id, ...sim.devices.map((d) => d.id)];
    for (const id of ids) {
      const card = page.locator(`article.heard[data-device="${id}"]`);
      await expect.poll(() => card.getAttribute('data-mode'), { timeout: 30_000 }).toBe('update');
      await card.getByRole('button', { name: 'Yes, it does' }).click();
    }
    expect(await page.locator(`article.heard[data-device="${ids[0]}"]`).textContent()).toContain('Connected directly');
    expect(await page.locator(`article.heard[data-device="${ids[1]}"]`).textContent()).toContain('Through the gateway');
    await expect.poll(() => page.getByTestId('chosen-count').textContent()).toContain('3 devices chosen');
  }, 90_000);

  it('updates all three in one job', async () => {
    await page.getByRole('button', { name: 'Next: update the chosen devices' }).click();
    await page.getByRole('button', { name: 'Start updating 3 devices' }).click();
    const results = page.getByRole('button', { name: 'See the results' });
    const deadline = Date.now() + 240_000;
    while (!(await results.isVisible())) {
      if (Date.now() > deadline) throw new Error(`the batch did not settle:\n${await page.locator('main').innerText()}`);
      const prompt = page.getByTestId('led-prompt').first();
      if (await prompt.isVisible()) await prompt.getByRole('button', { name: 'Yes, it does' }).click();
      else await page.waitForTimeout(200);
    }
    await screenshot(page, 'mixed-job-done');
    const states = await page.locator('article.row').evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { state: string } }).dataset.state));
    expect(states).toEqual(['done', 'done', 'done']);
    for (const d of [fleet.members[0]!.device, ...sim.devices]) expect(fieldVersionText(d.flash.image(0)!.version)).toBe('1.5.0+17');
  }, 300_000);
});
