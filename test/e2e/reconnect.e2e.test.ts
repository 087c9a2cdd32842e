import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, startApp, type RunningApp } from './harness';

/**
 * The host drops a page that leaves too much unread (main/host/server.ts); the page must not stay
 * frozen on a stale screen while the core goes on. Here the page's side of its WebSocket is cut
 * through Playwright's WebSocket routing (the host and the core keep running, as when the host
 * drops a slow page), and the page must reload itself with its session and come back.
 */
describe('the page after the host dropped its connection', () => {
  let app: RunningApp;
  let browser: Browser;
  let page: Page;
  const sockets: WebSocketRoute[] = [];

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await page.addInitScript({ content: `sessionStorage.setItem('siteflash-session', ${JSON.stringify(app.session)});` });
    await page.routeWebSocket(/\/api\?/, (ws) => {
      ws.connectToServer();
      sockets.push(ws);
    });
    await page.goto(app.origin);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  const navConnect = () => page.getByRole('navigation', { name: 'Steps of the visit' }).getByRole('button', { name: 'Connect', exact: true });

  it('reloads with its session, comes back to the same screen, and says it reconnected', async () => {
    await navConnect().click();
    await page.getByRole('heading', { name: 'Connect', level: 1 }).waitFor();
    const before = sockets.length;
    expect(before).toBeGreaterThan(0);
    const loaded = page.waitForEvent('load', { timeout: 30_000 });
    await sockets[before - 1]!.close({ code: 1008, reason: 'dropped by the test' });
    await loaded;
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'lost its connection to the siteflash core and has reconnected' }).count(), { timeout: 30_000 }).toBe(1);
    expect(await navConnect().getAttribute('aria-current')).toBe('page');
    // The page talks to the core again: a new socket, and the core answers (the version in the header).
    expect(sockets.length).toBeGreaterThan(before);
    await expect.poll(() => page.getByText(/v\d+\.\d+\.\d+ · browser host/).count(), { timeout: 30_000 }).toBe(1);
    expect(app.process.exitCode).toBeNull();
    await screenshot(page, 'reconnected-1366x768');
  }, 90_000);
});
