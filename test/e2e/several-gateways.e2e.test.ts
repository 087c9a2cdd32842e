/**
 * A real site's shape in the browser host, no demo site: three simulated gateways on ptys with 200
 * devices behind their radios (67 + 67 + 66), plus five devices connected directly on ptys and a sixth
 * direct one that is not on the site's list. The site is prepared from a (test) cloud: its list names
 * the 205 devices and carries fleet rules (one device pinned to an older version the release has, one
 * locked with a reason, one development device). The release has an image for the gateways' own board,
 * so each gateway is updated first, then its devices; the three gateways' batches run at the same time.
 * Everything is chosen and its LED answered in bulk from Collect's table.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
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
import { seededRng } from '../main/sync/fakes';
import { TestCloud } from '../main/sync/server';
import { launchBrowser, openPage, resultsDir, screenshot, startApp, stepwise, type RunningApp } from './harness';

/** Devices behind each gateway: 200 in all, every one on the site's list. */
const PER_GATEWAY = [67, 67, 66] as const;
const BEHIND = PER_GATEWAY.reduce((a, b) => a + b, 0);
/** Direct devices on the list; one more direct device is heard that is not on it. */
const DIRECT = 5;
const LISTED = BEHIND + DIRECT;
const ALL = LISTED + 1;
const TOKEN = 'tok_several_gateways_e2e_7c1f';
const SITE = { id: 's-north-yard', projectId: 'p-north', name: 'North yard', targetVersion: '2.0.0' };
const LOCK_REASON = 'Warranty case 7702: do not touch';
const FAST = { processingMs: 0, eraseMsPerSector: 0.2, writeBytesPerMs: 20_000, resetDelayMs: 10, bootMs: 40, swapMsPerSector: 0.2 };
const counts = (page: Page) => page.getByTestId('checklist-counts').first().textContent();
const todoNames = async (page: Page) => (await page.getByTestId('checklist-todo').first().locator('li .name').allInnerTexts()).map((t) => t.trim());
const nav = (page: Page, name: string) => page.getByRole('navigation').getByRole('button', { name: new RegExp(`^\\d? ?${name}`) }).click();

/**
 * The site's release, signed with keys made for the test and trusted in the app's data folder:
 * sf-dev-1 1.1.0 (the devices' update), sf-dev-1 1.0.5 (only for a device pinned to it: older than
 * 1.1.0, newer than the 1.0.0 the devices run) and sf-gw-2 2.1.0 (the gateways' own image).
 */
async function releaseTar(dir: string, dataDir: string): Promise<string> {
  const keys = testSigningKeys(dataDir);
  const dev = buildImage({ body: seededBody('e2e-dev', 6000), version: '1.1.0', signingKey: keys.image, board: 'sf-dev-1' });
  const old = buildImage({ body: seededBody('e2e-dev-old', 6000), version: '1.0.5', signingKey: keys.image, board: 'sf-dev-1' });
  const gw = buildImage({ body: seededBody('e2e-gw', 60_000), version: '2.1.0', signingKey: keys.image, board: 'sf-gw-2' });
  await writeBundleFolder(
    join(dir, 'bundle'),
    buildBundle({
      id: 'site-gateways',
      systemVersion: '2026.12.0',
      created: '2026-12-01T00:00:00Z',
      releaseKey: keys.release,
      components: [
        { board: 'sf-dev-1', hwRevisions: ['1'], name: 'dev.bin', image: dev },
        { board: 'sf-dev-1', hwRevisions: ['1'], name: 'dev-1.0.5.bin', image: old },
        { board: 'sf-gw-2', hwRevisions: ['1'], name: 'gw.bin', image: gw },
      ],
    }),
  );
  execFileSync('tar', ['-cf', join(dir, 'release.tar'), '-C', join(dir, 'bundle'), '.']);
  return join(dir, 'release.tar');
}

describe(`a prepared site: ${BEHIND} listed devices behind three gateways, ${DIRECT} direct and one not on the list, gateways first, fleet rules kept`, () => {
  let cloud: TestCloud;
  let app: RunningApp;
  let browser: Browser;
  let page: Page;
  let fleet: Fleet;
  const gateways: GatewayHost[] = [];
  const figures: string[] = [];
  const version = (d: { flash: { image(slot: 0 | 1): { version: Parameters<typeof fieldVersionText>[0] } | undefined } }) => fieldVersionText(d.flash.image(0)!.version);
  // The devices the fleet rules name, and the one heard that the list does not know.
  const pinned = () => gateways[0]!.sim.devices[0]!;
  const locked = () => gateways[1]!.sim.devices[0]!;
  const development = () => fleet.members[0]!.device;
  const unlisted = () => fleet.members[DIRECT]!.device;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'siteflash-e2e-gateways-'));
    fleet = await startFleet({ count: DIRECT + 1, board: 'sf-dev-1', version: '1.0.0+0', baud: 115200, dir, seed: 7, device: { timing: { ...FAST, baud: 115200 } } });
    for (let i = 0; i < 3; i++) {
      gateways.push(
        await startGatewayHost({
          devices: [{ board: 'sf-dev-1', count: PER_GATEWAY[i]!, version: '1.0.0+0', device: { timing: { ...FAST, baud: 115200 } } }],
          // The gateway's own serial line at 115200 baud: its own image takes some seconds, long enough to be seen installing.
          baud: 115200,
          dir,
          name: `gateway-${i + 1}`,
          id: `5f1a6a7e0000000${i + 1}`,
          firstDevice: PER_GATEWAY.slice(0, i).reduce((a, b) => a + b, 0),
          seed: i + 1,
          // A scan answer listing 67 devices (~4.6 KB) does not fit the default 4 KiB SMP buffer (the gateway answers ENOMEM).
          bufSize: 16_384,
          radio: { bitRate: 2_000_000, dutyCycle: 1 },
          timing: FAST,
        }),
      );
    }
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
    cloud = new TestCloud({ token: TOKEN, rng: seededRng(15), bundles: new Map([['site-gateways', readFileSync(await releaseTar(dir, app.dataDir))]]) });
    const base = { siteId: SITE.id, board: 'sf-dev-1', hwRev: '1', targetVersion: null };
    cloud.sites = [SITE];
    cloud.devices = [
      ...gateways.flatMap((g, gi) => g.sim.devices.map((d, i) => ({ ...base, id: d.id, name: `Meter ${gi + 1}-${String(i + 1).padStart(2, '0')}`, location: `Yard ${gi + 1}, post ${i + 1}` }))),
      ...fleet.members.slice(0, DIRECT).map((m, i) => ({ ...base, id: m.device.id, name: `Cabinet sensor ${i + 1}`, location: `Control room, cabinet ${i + 1}` })),
    ].map((d) =>
      d.id === pinned().id ? { ...d, pinnedVersion: '1.0.5+0' } : d.id === locked().id ? { ...d, locked: true, lockReason: LOCK_REASON } : d.id === development().id ? { ...d, development: true } : d,
    );
    await cloud.start();
    page = await openPage(browser, app.url);
  }, 120_000);
  stepwise(() => page, 'several-gateways-failure');
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await cloud?.close();
    await fleet?.stop();
    for (const g of gateways) await g.stop();
    if (figures.length) console.log(figures.join('\n'));
  });

  it('prepares the site from the cloud: its list of 205 devices and its release (images for the devices, an older one for the pinned device, and one for the gateways)', async () => {
    await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
    await page.getByLabel('Site being worked on').fill(SITE.name);
    await page.getByLabel('Technician').fill('Sam Field');
    await page.getByRole('button', { name: 'Save site and name' }).click();
    const panel = page.getByTestId('prepare-panel');
    await page.getByLabel('Cloud server URL').fill(cloud.url);
    await page.getByRole('button', { name: 'Save URL' }).click();
    await page.getByLabel('Cloud token').fill(TOKEN);
    await page.getByRole('button', { name: 'Store token' }).click();
    await expect.poll(() => page.getByTestId('token-status').textContent(), { timeout: 15_000 }).toMatch(/set/);
    await panel.getByLabel(/Site ids/).fill(SITE.id);
    await panel.getByRole('button', { name: 'Prepare' }).click();
    await expect.poll(() => panel.getByTestId('prepared-bundle').getAttribute('data-state'), { timeout: 60_000 }).toBe('downloaded');
    await nav(page, 'Releases');
    await expect.poll(() => page.getByTestId('bundle').count(), { timeout: 60_000 }).toBe(1);
  }, 120_000);

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

  it(`collects all ${ALL} devices in the table, each labelled with the gateway that heard it, the one not on the list flagged, and chooses them all in bulk`, async () => {
    for (const m of fleet.members) m.device.enterUpdateMode();
    await nav(page, 'Collect');
    // Past a dozen devices Collect shows its table; the choose button counts the devices in update mode.
    const choose = page.getByTestId('choose-shown');
    await expect.poll(() => choose.innerText(), { timeout: 120_000, interval: 1000 }).toBe(`Choose all ${ALL} in update mode`);
    expect(await page.getByTestId('table-count').innerText()).toBe(`Showing ${ALL} of ${ALL} devices`);
    await expect.poll(() => counts(page), { timeout: 20_000 }).toMatch(new RegExp(`0 of ${LISTED} done,\\s*${LISTED} to do`));
    expect(await page.getByTestId('not-on-list').textContent()).toContain(unlisted().id);
    expect((await page.getByTestId('not-on-list').locator('code').allInnerTexts())).toEqual([unlisted().id]);
    const summary = page.getByTestId('heard-by-gateway');
    expect(await summary.locator('li').evaluateAll((els) => els.map((e) => e.textContent?.replace(/\s+/g, ' ').trim()))).toEqual(
      expect.arrayContaining([...gateways.map((g, i) => expect.stringMatching(new RegExp(`…${g.sim.gateway.id.slice(-4)}.*: ${PER_GATEWAY[i]} heard, ${PER_GATEWAY[i]} in update mode`))), `Connected directly: ${DIRECT + 1} heard, ${DIRECT + 1} in update mode`]),
    );
    // The table renders only the rows in view: the gateway of every device is read from the cards once.
    await page.getByRole('group', { name: 'Show the devices as' }).getByRole('button', { name: 'Cards' }).click();
    await expect.poll(() => page.locator('article.heard').count(), { timeout: 30_000 }).toBe(ALL);
    const where = Object.fromEntries(await page.locator('article.heard').evaluateAll((els) => els.map((e) => [(e as unknown as { dataset: { device: string } }).dataset.device, (e as unknown as { dataset: { gateway: string } }).dataset.gateway])));
    for (const g of gateways) for (const d of g.sim.devices) expect(where[d.id]).toBe(g.sim.gateway.id);
    for (const m of fleet.members) expect(where[m.device.id]).toBe('direct');
    expect(await page.locator(`article.heard[data-device="${pinned().id}"]`).getByTestId('fleet-rule').textContent()).toContain('pinned to 1.0.5+0');
    expect(await page.locator(`article.heard[data-device="${locked().id}"]`).getByTestId('fleet-rule').textContent()).toContain(`locked: ${LOCK_REASON}`);
    expect(await page.locator(`article.heard[data-device="${development().id}"]`).getByTestId('fleet-rule').textContent()).toContain('development device');
    expect(await page.locator(`article.heard[data-device="${unlisted().id}"]`).getByTestId('not-on-list-flag').count()).toBe(1);
    await page.getByRole('group', { name: 'Show the devices as' }).getByRole('button', { name: 'Table' }).click();
    await choose.click();
    await expect.poll(() => page.getByTestId('chosen-count').textContent()).toContain(`${ALL} devices chosen`);
    const bulk = page.getByTestId('bulk-led');
    expect(await bulk.innerText()).toContain(`${ALL} chosen devices have no LED answer yet`);
    await page.getByTestId('bulk-confirm').click();
    await expect.poll(() => bulk.count(), { timeout: 30_000 }).toBe(0);
    await expect.poll(() => page.getByTestId('chosen-count').textContent()).toContain(`${ALL} devices chosen`);
    // What a 1366×768 screen shows of the table once scrolled to it.
    await page.getByTestId('table-count').evaluate((e) => (e as unknown as { scrollIntoView(o: { block: string }): void }).scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: join(resultsDir, 'several-gateways-collect-table-1366x768.png') });
  }, 600_000);

  it('updates each gateway first, showing its LED and the do-not-power-off warning, then the devices, keeping the fleet rules', async () => {
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
    const states = Object.fromEntries(await page.locator('article.row').evaluateAll((els) => els.map((e) => [(e as unknown as { dataset: { device: string } }).dataset.device, (e as unknown as { dataset: { state: string } }).dataset.state])));
    expect(Object.keys(states)).toHaveLength(3 + ALL);
    const notDone = Object.fromEntries(Object.entries(states).filter(([, s]) => s !== 'done'));
    // The locked device refused with its reason, the development device left alone (chosen in bulk, not by itself).
    expect(notDone).toEqual({ [locked().id]: 'failed', [development().id]: 'cancelled' });
    expect(await page.locator(`article.row[data-device="${locked().id}"]`).textContent()).toContain(LOCK_REASON);
    expect(await page.locator(`article.row[data-device="${development().id}"]`).getByTestId('row-note').textContent()).toContain('A development device: left alone, nothing was sent');
    // What the devices themselves run.
    for (const g of gateways) {
      expect(version(g.sim.gateway)).toBe('2.1.0+0');
      for (const d of g.sim.devices) expect([d.id, version(d)]).toEqual([d.id, d === pinned() ? '1.0.5+0' : d === locked() ? '1.0.0+0' : '1.1.0+0']);
    }
    for (const m of fleet.members) expect([m.device.id, version(m.device)]).toEqual([m.device.id, m.device === development() ? '1.0.0+0' : '1.1.0+0']);
    // Nothing was written to the locked or the development device's second slot; an updated device holds its old image there.
    expect(locked().flash.image(1)).toBeUndefined();
    expect(development().flash.image(1)).toBeUndefined();
    expect(fieldVersionText(gateways[1]!.sim.devices[1]!.flash.image(1)!.version)).toBe('1.0.0+0');
    expect(await page.getByTestId('gateway-first').innerText()).not.toContain('Do not power off');
  }, 1_000_000);

  it(`counts the checklist on Results: ${LISTED - 2} of ${LISTED} done, the locked and the development device to do, the unlisted one flagged, the gateways marked as such`, async () => {
    await page.getByRole('button', { name: 'See the results' }).click();
    await page.getByRole('heading', { name: 'Results', level: 1 }).waitFor();
    // 205 listed: 200 behind the gateways + 5 direct; all done but the locked one and the development one.
    await expect.poll(() => counts(page), { timeout: 30_000 }).toMatch(new RegExp(`${LISTED - 2} of ${LISTED} done,\\s*2 to do`));
    // In the order the list is kept, not the order the cloud sent it.
    await expect.poll(async () => (await todoNames(page)).sort()).toEqual(['Cabinet sensor 1', 'Meter 2-01']);
    const todo = page.getByTestId('checklist-todo').first();
    expect(await todo.locator(`li[data-device="${locked().id}"]`).textContent()).toContain(`locked: ${LOCK_REASON}`);
    // Flagged among the results: the heard device the list does not know. The three gateways are not devices of the list: marked as gateways.
    const flagged = await page.locator('tr:has([data-testid="result-not-on-list"]) td:first-child code').allInnerTexts();
    expect(flagged.map((t) => t.trim().toLowerCase())).toEqual([unlisted().id.toLowerCase()]);
    const marked = await page.locator('tr:has([data-testid="result-gateway"]) td:first-child code').allInnerTexts();
    expect(marked.map((t) => t.trim().toLowerCase()).sort()).toEqual(gateways.map((g) => g.sim.gateway.id.toLowerCase()).sort());
    await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await page.screenshot({ path: join(resultsDir, 'several-gateways-results-1366x768.png') });
    await screenshot(page, 'several-gateways-results');
  }, 60_000);
});
