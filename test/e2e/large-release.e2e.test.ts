import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle, buildImage, writeBundleTar } from '../../main/image';
import { ask, closed, openSocket } from '../main/host/host-client';
import { launchBrowser, openPage, screenshot, startApp, type RunningApp } from './harness';
import { mb, rssBytes, sampleRss } from './proc';

const IMAGE_BYTES = 300 * 1000 * 1000;

/** A signed release whose one image is 300 MB, as a tar, with its own keys (PEM public halves). */
async function largeRelease(dir: string): Promise<{ tar: string; imagePem: string; releasePem: string }> {
  const image = generateKeyPairSync('ed25519');
  const release = generateKeyPairSync('ed25519');
  const body = Buffer.alloc(IMAGE_BYTES);
  for (let i = 0; i < body.length; i += 4096) body.writeUInt32LE(i * 2654435761 >>> 0, i);
  const bytes = buildImage({ body, version: '9.1.0+7', signingKey: image.privateKey, board: 'sf-sensor-t' });
  const bundle = buildBundle({
    id: 'large-release-9.1.0',
    systemVersion: '9.1.0',
    name: 'Large release',
    created: '2026-12-01T10:00:00.000Z',
    components: [{ board: 'sf-sensor-t', hwRevisions: ['A', 'B'], name: 'sensor-9.1.0.bin', image: bytes }],
    releaseKey: release.privateKey,
  });
  const tar = join(dir, 'large-release.tar');
  await writeBundleTar(tar, bundle);
  const pem = (k: typeof image) => k.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return { tar, imagePem: pem(image), releasePem: pem(release) };
}

describe('a 300 MB release through the file picker', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;
  let dir: string;
  let release: Awaited<ReturnType<typeof largeRelease>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'siteflash-e2e-large-'));
    release = await largeRelease(dir);
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
    // Trust this release's keys through the API, as the technician would on the Releases screen.
    const ws = await openSocket(app.origin, `?session=${app.session}`);
    expect(await ask(ws, 1, 'keys:import', { name: 'large-image', role: 'image', pem: release.imagePem })).toMatchObject({ ok: true });
    expect(await ask(ws, 2, 'keys:import', { name: 'large-release', role: 'release', pem: release.releasePem })).toMatchObject({ ok: true });
    ws.close();
    await closed(ws);
    page = await openPage(browser, app.url);
    await page.getByRole('button', { name: 'Releases' }).click();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('imports it verified, with the host staying up and its memory growth bounded well below the file size', async () => {
    const size = statSync(release.tar).size;
    expect(size).toBeGreaterThan(IMAGE_BYTES);
    const pid = app.process.pid!;
    const before = rssBytes(pid);
    const rss = sampleRss(pid);
    const started = performance.now();
    await page.locator('input[type=file][aria-label="Import a release file…"]').setInputFiles(release.tar);
    const bundle = page.getByTestId('bundle');
    await expect.poll(() => bundle.count(), { timeout: 560_000, interval: 1000 }).toBe(1);
    const seconds = (performance.now() - started) / 1000;
    const peak = rss.stop();
    expect(await bundle.getByTestId('verdict').textContent()).toContain('Verified');
    expect(await bundle.textContent()).toContain('9.1.0');
    expect(app.process.exitCode).toBeNull();
    const growth = peak - before;
    console.log(
      `300 MB release import: file ${mb(size)}, host RSS ${mb(before)} before, peak ${mb(peak)}, growth ${mb(growth)} ` +
        `(${((100 * growth) / size).toFixed(1)} % of the file), ${seconds.toFixed(1)} s, ${mb(size / seconds)}/s`,
    );
    expect(growth).toBeLessThan(100e6);
    // Nothing left in staging once imported.
    expect(readdirSync(join(app.dataDir, 'staging'))).toEqual([]);
    await screenshot(page, 'releases-large');
    const ws = await openSocket(app.origin, `?session=${app.session}`);
    expect(await ask(ws, 1, 'releases:list')).toMatchObject({ ok: true, value: [{ id: 'large-release-9.1.0' }] });
    ws.close();
  }, 600_000);
});
