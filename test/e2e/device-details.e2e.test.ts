import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageState, imageTest } from '../../main/devices/commands/image';
import { bytesSource } from '../../main/devices/image-source';
import { withLinkSession } from '../../main/devices/link-session';
import { uploadImage } from '../../main/devices/upload';
import { createLink } from '../../main/links/factory';
import { startFleet, type Fleet } from '../../main/sim/fleet';
import { buildSimImage } from '../../main/sim/image-builder';
import { fieldVersionText } from '../../main/sim/slot-image';
import { launchBrowser, openPage, screenshot, startApp, stepwise, type RunningApp } from './harness';

const nav = (page: Page, name: string) => page.getByRole('navigation').getByRole('button', { name: new RegExp(`^\\d? ?${name}`) }).click();

/** Screenshots looked at by hand are also kept outside the repository. */
const SHOTS = process.env.SITEFLASH_SHOTS_DIR;
async function shot(page: Page, name: string): Promise<void> {
  const path = await screenshot(page, name);
  if (SHOTS) {
    mkdirSync(SHOTS, { recursive: true });
    copyFileSync(path, join(SHOTS, `${name}-full.png`));
    await page.screenshot({ path: join(SHOTS, `${name}.png`) });
  }
}

describe('device details: erase and confirm on a device connected directly (simulated device on a pty, no demo site)', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;
  let fleet: Fleet;
  const details = () => page.getByTestId('device-details');
  const slotRow = (slot: number) => details().locator(`tr[data-slot="${slot}"]`);
  const flag = (slot: number, name: string) => slotRow(slot).locator(`td[data-flag="${name}"]`).textContent();

  beforeAll(async () => {
    fleet = await startFleet({ count: 1, board: 'sf-dev-1', version: '1.0.0+0', baud: 115200, dir: mkdtempSync(join(tmpdir(), 'siteflash-e2e-details-')) });
    // A test-pending image in slot 1, put there with the client library, as an interrupted update leaves it.
    await withLinkSession(createLink({ kind: 'serial', path: fleet.members[0]!.clientPath, baudRate: 115200 }), async (session) => {
      await uploadImage(session, bytesSource(buildSimImage({ version: '1.1.0+0', board: 'sf-dev-1' })), { bufSize: 384 });
      await imageTest(session, (await imageState(session)).find((s) => s.slot === 1)!.hash);
    });
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
    page = await openPage(browser, app.url);
  }, 120_000);
  stepwise(() => page, 'device-details-failure');
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await fleet?.stop();
  });

  const device = () => fleet.members[0]!.device;

  /** Reads the slots again until the device (which may be rebooting) lists what `ready` wants. */
  async function readUntil(ready: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      await details().getByRole('button', { name: 'Read the slots again' }).click();
      await expect.poll(() => details().getByRole('button', { name: 'Read the slots again' }).isEnabled(), { timeout: 30_000 }).toBe(true);
      if (await ready()) return;
      if (Date.now() > deadline) throw new Error(`the device did not list what was expected; page says:\n${await details().innerText()}`);
      await page.waitForTimeout(500);
    }
  }

  it('shows the slots with versions as 1.2.3+4 and the pending test image in slot 1', async () => {
    await page.getByLabel('Technician').fill('Sam Slots');
    await page.getByRole('button', { name: 'Save site and name' }).click();
    await nav(page, 'Connect');
    await page.getByLabel('Add a port by path').fill(fleet.members[0]!.clientPath);
    await page.getByRole('button', { name: 'Add port' }).click();
    await page.getByRole('button', { name: 'Find devices' }).click();
    await page.getByRole('button', { name: `Details of ${fleet.members[0]!.clientPath}` }).click({ timeout: 60_000 });
    await expect.poll(() => slotRow(1).count(), { timeout: 30_000 }).toBe(1);
    expect(await slotRow(0).locator('td.version').textContent()).toBe('1.0.0+0');
    expect(await slotRow(1).locator('td.version').textContent()).toBe('1.1.0+0');
    expect(await flag(1, 'pending')).toBe('yes');
    expect(await flag(0, 'active')).toBe('yes');
    // A running, confirmed image offers neither action; the pending test image offers both.
    expect(await slotRow(0).getByRole('button').count()).toBe(0);
    expect(await slotRow(1).getByRole('button', { name: /^Confirm 1\.1\.0\+0/ }).count()).toBe(1);
    await shot(page, 'device-details-pending');
  }, 120_000);

  it('asks before erasing, and shows the refusal of a pending slot with what to do; the slot is untouched', async () => {
    await slotRow(1).getByRole('button', { name: 'Erase slot 1' }).click();
    await expect.poll(() => page.getByTestId('ask-erase').isVisible()).toBe(true);
    // Nothing is sent before the technician says yes.
    expect(device().flash.image(1)).toBeDefined();
    await page.getByRole('button', { name: 'Keep it' }).click();
    expect(await page.getByTestId('ask-erase').count()).toBe(0);

    await slotRow(1).getByRole('button', { name: 'Erase slot 1' }).click();
    await page.getByTestId('ask-erase').getByRole('button', { name: 'Erase slot 1' }).click();
    const outcome = page.getByTestId('action-outcome');
    await expect.poll(() => outcome.textContent(), { timeout: 45_000 }).toContain('refused to erase slot 1');
    const text = (await outcome.textContent()) ?? '';
    expect(text).toContain('pending a test swap');
    expect(text).toContain('Reset');
    expect(await outcome.getAttribute('role')).toBe('alert');
    await shot(page, 'device-details-refused');
    // What the device holds, not what the screen says: the image is still there and still pending.
    expect(fieldVersionText(device().flash.image(1)!.version)).toBe('1.1.0+0');
    expect(device().flash.nextSwap()).toBe('test');
  }, 90_000);

  it('resets, then confirms the running image, then erases slot 1; the device shows each step', async () => {
    await details().getByRole('button', { name: 'Reset' }).click();
    await expect.poll(() => page.getByTestId('action-outcome').textContent(), { timeout: 30_000 }).toContain('accepted the reset');
    await readUntil(async () => (await slotRow(0).locator('td.version').textContent()) === '1.1.0+0');
    expect(await flag(0, 'confirmed')).toBe('no');
    expect(device().flash.onTrial).toBe(true);

    await slotRow(0).getByRole('button', { name: /^Confirm 1\.1\.0\+0/ }).click();
    await expect.poll(() => page.getByTestId('action-outcome').textContent(), { timeout: 30_000 }).toContain('The running image is confirmed');
    expect(await flag(0, 'confirmed')).toBe('yes');
    expect(device().flash.onTrial).toBe(false);

    await slotRow(1).getByRole('button', { name: 'Erase slot 1' }).click();
    await page.getByTestId('ask-erase').getByRole('button', { name: 'Erase slot 1' }).click();
    await expect.poll(() => page.getByTestId('action-outcome').textContent(), { timeout: 60_000 }).toContain('Slot 1 erased.');
    expect(await slotRow(1).count()).toBe(0);
    expect(device().flash.image(1)).toBeUndefined();
    await shot(page, 'device-details-erased');
  }, 150_000);

  it('wrote one audit row per action, refusals included', async () => {
    const db = new Database(join(app.dataDir, 'siteflash.db'), { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare("SELECT result, reason, technician, from_version, to_version, link FROM audit_log WHERE job_id LIKE 'action-%' ORDER BY id").all() as {
        result: string;
        reason: string;
        technician: string;
        from_version: string | null;
        to_version: string | null;
        link: string;
      }[];
      expect(rows.map((r) => [r.result, r.reason.split(':')[0]])).toEqual([
        ['failed', 'image erase slot 1'],
        ['done', 'reset'],
        ['done', 'image confirm (running image)'],
        ['done', 'image erase slot 1'],
      ]);
      expect(rows[0]!.reason).toContain('pending a test swap');
      expect(rows[0]).toMatchObject({ technician: 'Sam Slots', from_version: '1.1.0+0', link: `serial:${fleet.members[0]!.clientPath}` });
      expect(rows[3]).toMatchObject({ from_version: '1.0.0+0', to_version: null });
      const outbox = db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'audit' AND payload LIKE '%device-action%'").get() as { n: number };
      expect(outbox.n).toBe(4);
    } finally {
      db.close();
    }
  });

  it('lists the actions on the History screen, refusal included', async () => {
    await nav(page, 'History');
    const table = page.getByTestId('history');
    await expect.poll(() => table.locator('tbody tr').count(), { timeout: 20_000 }).toBe(4);
    const changes = await table.locator('td.change').allTextContents();
    expect(changes).toEqual(['image erase slot 1 (1.0.0+0)', 'image confirm (running image) (1.1.0+0)', 'reset (1.0.0+0)', 'image erase slot 1 (1.1.0+0)']);
    await shot(page, 'device-details-history');
  }, 60_000);
});

describe('device details of a device that sends no slot flags (MCUboot serial recovery personality on a pty)', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;
  let fleet: Fleet;

  beforeAll(async () => {
    fleet = await startFleet({ count: 1, board: 'sf-dev-1', version: '1.0.0+0', baud: 115200, dir: mkdtempSync(join(tmpdir(), 'siteflash-e2e-recovery-')), device: { personality: 'mcuboot-recovery' } });
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
    page = await openPage(browser, app.url);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await fleet?.stop();
  });

  it('shows every flag it did not send as "?" (unknown, never "no") and offers no action on the running slot', async () => {
    await nav(page, 'Connect');
    await page.getByLabel('Add a port by path').fill(fleet.members[0]!.clientPath);
    await page.getByRole('button', { name: 'Add port' }).click();
    await page.getByRole('button', { name: 'Find devices' }).click();
    await page.getByRole('button', { name: `Details of ${fleet.members[0]!.clientPath}` }).click({ timeout: 60_000 });
    const row = page.getByTestId('device-details').locator('tr[data-slot="0"]');
    await expect.poll(() => row.count(), { timeout: 30_000 }).toBe(1);
    expect(await row.locator('td.version').textContent()).toBe('1.0.0+0');
    expect(await row.locator('td[data-flag]').allTextContents()).toEqual(['?', '?', '?', '?', '?']);
    expect(await row.locator('td[data-flag="active"]').getAttribute('aria-label')).toBe('active: not reported');
    expect(await row.getByRole('button').count()).toBe(0);
    expect(await page.getByTestId('device-details').textContent()).toContain('the device did not report this flag');
    await shot(page, 'device-details-recovery');
  }, 120_000);
});
