/**
 * The renderer's responsiveness, in the browser host and the system Chromium:
 *
 * 1. Start-up: from spawning the browser host to an interactive Home screen (settings loaded, the
 *    demo button enabled), against a baseline measured in the same run: loading the component
 *    gallery page (the same bundle and styles, no core data) from the same host.
 * 2. Frame budget while 50 devices report progress: the Update screen shows a job of 50 devices
 *    while `job:progress` arrives at the core's documented maximum (10 a second per job, every
 *    device in each event) and one device changes state every second (each change re-fetches
 *    `job:list`). Long tasks (over 50 ms, PerformanceObserver 'longtask') and animation frames are
 *    counted over a fixed window, and compared with the same window with the job idle.
 *
 * 3. The Collect table (`gallery.html?collect-table=N`: the table alone with N made-up devices,
 *    no core), keypress to the next painted frame, measured in the page (keydown's time stamp to a
 *    task queued from the next animation frame, i.e. after that frame is painted), median of
 *    several presses: rendering the 1,000-row table (the filter box emptied: 0 → 1,000 rows; the
 *    table puts only the rows in view in the page) against
 *    rendering 1 row the same way; filtering 1,000 rows (one key that leaves a third of them); the
 *    latency of a key in the filter box while 200 devices report (the fixture replaces the device
 *    list every 100 ms, as `collect:changed` does) against the same 200 rows idle. All against the
 *    60 fps frame budget (16.7 ms) too.
 *
 * The core's demo site has 15 devices, so the 50-device job is synthetic: the page's WebSocket is
 * routed through Playwright, every request except `job:list` goes to the real core, and the
 * `job:list` answers and job events are made here, in the contract's shapes.
 *
 *   npm run build && npx tsx test/bench/renderer.bench.ts     (BENCH_DEVICES, BENCH_WINDOW_MS)
 */
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import type { DeviceSnapshot, JobSnapshot } from '../../preload/api';
import type { ServerMessage } from '../../preload/host-protocol';
import { launchBrowser, startApp } from '../e2e/harness';

const DEVICES = Number(process.env.BENCH_DEVICES ?? 50);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 10_000);
const IMAGE = 131_072;
const BOARDS = ['sf-sensor-t', 'sf-valve-v', 'sf-meter-m'];
const VIEWPORT = { width: 1366, height: 768 };

const ms = (n: number) => `${Math.round(n)} ms`;
const FRAME_MS = 1000 / 60;
const PRESSES = Number(process.env.BENCH_PRESSES ?? 7);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Opens the app as the harness's openPage does: the session secret in sessionStorage, the bare address. */
async function gotoApp(page: Page, url: string): Promise<void> {
  const parsed = new URL(url);
  const session = new URLSearchParams(parsed.hash.slice(1)).get('session');
  if (session) await page.addInitScript({ content: `sessionStorage.setItem('siteflash-session', ${JSON.stringify(session)});` });
  await page.goto(session ? `${parsed.origin}${parsed.pathname}` : url);
}

/** Records, for each key typed, the time from its keydown to the task after the next painted frame. */
const armLatency = (page: Page) =>
  page.evaluate(`(() => {
    const w = window;
    w.__lat = [];
    let down = 0;
    document.addEventListener('keydown', (e) => { down = e.timeStamp; }, true);
    document.addEventListener('input', () => { const t = down; requestAnimationFrame(() => setTimeout(() => w.__lat.push(performance.now() - t), 0)); }, true);
  })()`);

/** Presses `key` in the focused filter box and waits for its latency to be recorded; returns it, ms. */
async function pressTimed(page: Page, key: string): Promise<number> {
  const n = (await page.evaluate('window.__lat.length')) as number;
  await page.keyboard.press(key);
  await page.waitForFunction((k) => (globalThis as unknown as { __lat: number[] }).__lat.length > k, n);
  return (await page.evaluate(`window.__lat[${n}]`)) as number;
}

/** Opens the Collect table fixture with `rows` made-up devices (`churnMs`: the list replaced that often). */
async function tablePage(browser: Browser, origin: string, rows: number, churnMs = 0): Promise<{ page: Page; loadMs: number }> {
  const page = await browser.newPage({ viewport: VIEWPORT });
  const start = performance.now();
  await page.goto(`${origin}/gallery.html?collect-table=${rows}${churnMs ? `&churn=${churnMs}` : ''}`);
  await page.locator('tbody tr[data-device]').first().waitFor();
  await page.getByTestId('table-count').filter({ hasText: `Showing ${rows} of` }).waitFor();
  const loadMs = performance.now() - start;
  await armLatency(page);
  await page.getByTestId('collect-filter').focus();
  return { page, loadMs };
}

/** Median time to paint the table after the filter box goes from "x" (no row) to "" (every row). */
async function renderFromEmpty(page: Page): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < PRESSES; i++) {
    await page.keyboard.press('x');
    await page.locator('tbody tr[data-device]').first().waitFor({ state: 'detached' });
    times.push(await pressTimed(page, 'Backspace'));
  }
  return median(times);
}

function syntheticJob(): JobSnapshot {
  const devices: DeviceSnapshot[] = Array.from({ length: DEVICES }, (_, i) => ({
    key: `serial:/dev/ttyBENCH${i}`,
    link: `serial:/dev/ttyBENCH${i}`,
    state: 'transferring',
    reason: null,
    reasonKind: null,
    deviceId: `5f1abe0000000${i.toString(16).padStart(3, '0')}`,
    board: BOARDS[i % BOARDS.length]!,
    fromVersion: '1.4.2+0',
    toVersion: '1.5.0+17',
    paused: false,
    retries: 0,
    attempt: 1,
    progress: { bytes: 0, total: IMAGE, rate: 0, etaSeconds: null },
    ledPrompt: null,
    ledAnswers: [],
  }));
  return {
    id: 'bench-job',
    state: 'running',
    createdAt: Date.now(),
    technician: 'bench',
    site: 'bench',
    release: 'Bench release (2026.11.0)',
    policy: { ledConfirm: false, retries: 0, afterRejoin: 'confirm' },
    devices,
    progress: { bytes: 0, total: IMAGE * DEVICES, rate: 0, etaSeconds: null },
    counts: { transferring: DEVICES },
  };
}

/** Starts counting long tasks and animation frames in the page. */
const startCounting = (page: Page) =>
  page.evaluate(`(() => {
    const w = window;
    const b = (w.__bench = { longTasks: [], frames: 0, running: true });
    w.__benchObserver = new PerformanceObserver((list) => { for (const e of list.getEntries()) b.longTasks.push(e.duration); });
    w.__benchObserver.observe({ type: 'longtask' });
    const frame = () => { if (!b.running) return; b.frames += 1; requestAnimationFrame(frame); };
    requestAnimationFrame(frame);
  })()`);

const stopCounting = (page: Page) =>
  page.evaluate(`(() => {
    const w = window;
    w.__bench.running = false;
    w.__benchObserver.disconnect();
    return { longTasks: w.__bench.longTasks, frames: w.__bench.frames };
  })()`) as Promise<{ longTasks: number[]; frames: number }>;

async function measure(page: Page, during: () => Promise<void>) {
  await startCounting(page);
  const start = performance.now();
  await during();
  const elapsed = performance.now() - start;
  const { longTasks, frames } = await stopCounting(page);
  return { elapsed, frames, longTasks, blocked: longTasks.reduce((a, b) => a + b, 0) };
}

const t0 = performance.now();
let hostReady = 0;
const [app, browser] = await Promise.all([
  startApp().then((a) => {
    hostReady = performance.now() - t0;
    return a;
  }),
  launchBrowser(),
]);
try {
  // 1. Start-up.
  const page = await browser.newPage({ viewport: VIEWPORT });
  const navStart = performance.now();
  await gotoApp(page, app.url);
  await page.locator('section.home[data-ready="true"]').waitFor();
  await page.getByRole('button', { name: 'Start the demo site' }).and(page.locator(':enabled')).waitFor();
  const homeReady = performance.now();
  const gallery = await browser.newPage({ viewport: VIEWPORT });
  const galleryStart = performance.now();
  await gallery.goto(`${app.origin}/gallery.html`);
  await gallery.getByRole('heading', { name: 'Component gallery' }).waitFor();
  const galleryMs = performance.now() - galleryStart;
  await gallery.close();
  await page.close();
  const pageMs = homeReady - navStart;
  console.log('start-up (spawn of the browser host → interactive Home)');
  console.log(`  total                         ${ms(homeReady - t0)}`);
  console.log(`  host up (address printed)     ${ms(hostReady)}`);
  console.log(`  page load → interactive Home  ${ms(pageMs)}  = ${(pageMs / galleryMs).toFixed(2)} × the gallery page load (${ms(galleryMs)}, same bundle, no core data)`);

  // 2. Frame budget with 50 devices reporting progress.
  let job = syntheticJob();
  let socket: WebSocketRoute | null = null;
  const bench = await browser.newPage({ viewport: VIEWPORT });
  await bench.routeWebSocket(/\/api\?(session|code)=/, (ws) => {
    socket = ws;
    const server = ws.connectToServer();
    ws.onMessage((m) => {
      const msg = JSON.parse(String(m)) as { type: string; id: number; channel: string };
      if (msg.type === 'invoke' && msg.channel === 'job:list') {
        ws.send(JSON.stringify({ type: 'result', id: msg.id, result: { ok: true, value: [job] } } satisfies ServerMessage));
      } else server.send(m);
    });
    server.onMessage((m) => ws.send(m));
  });
  await gotoApp(bench, app.url);
  await bench.locator('section.home[data-ready="true"]').waitFor();
  await bench.getByRole('navigation').getByRole('button', { name: /^Update/ }).click();
  await bench.locator(`[data-job="bench-job"] article.row`).nth(DEVICES - 1).waitFor();
  const send = (msg: ServerMessage) => (socket as WebSocketRoute | null)?.send(JSON.stringify(msg));

  const idle = await measure(bench, () => new Promise((r) => setTimeout(r, WINDOW_MS)));
  let events = 0;
  let seq = 0;
  const loaded = await measure(bench, async () => {
    const start = performance.now();
    let tick = 0;
    while (performance.now() - start < WINDOW_MS) {
      tick += 1;
      const devices = job.devices.map((d, i) => {
        const bytes = Math.min(IMAGE, d.progress.bytes + 400 + ((i * 37) % 200));
        const progress = { bytes, total: IMAGE, rate: 4000 + i, etaSeconds: (IMAGE - bytes) / 4000 };
        return { key: d.key, progress };
      });
      const byKey = new Map(devices.map((d) => [d.key, d.progress]));
      job = { ...job, devices: job.devices.map((d) => ({ ...d, progress: byKey.get(d.key)! })) };
      const total = devices.reduce((a, d) => a + d.progress.bytes, 0);
      send({ type: 'event', event: 'job:progress', payload: { jobId: job.id, job: { bytes: total, total: IMAGE * DEVICES, rate: 200_000, etaSeconds: 10 }, devices } });
      events += 1;
      if (tick % 10 === 0) {
        const i = (tick / 10 - 1) % DEVICES;
        const d = job.devices[i]!;
        job = { ...job, devices: job.devices.map((x, j) => (j === i ? { ...x, state: 'installing' } : x)) };
        send({ type: 'event', event: 'job:device-state', payload: { jobId: job.id, deviceKey: d.key, from: 'transferring', to: 'installing', reason: null, reasonKind: null, seq: (seq += 1) } });
        events += 1;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  const shown = await bench.locator('[data-job="bench-job"] [role="progressbar"]').first().getAttribute('aria-valuenow');
  await bench.close();

  const fps = (r: typeof idle) => (r.frames * 1000) / r.elapsed;
  console.log(`\nframe budget: Update screen with ${DEVICES} devices, ${ms(WINDOW_MS)} windows`);
  console.log(`  idle:    ${idle.longTasks.length} long tasks (> 50 ms), ${ms(idle.blocked)} blocked = ${((idle.blocked / idle.elapsed) * 100).toFixed(1)} % of the window; ${fps(idle).toFixed(1)} frames/s`);
  console.log(
    `  loaded:  ${loaded.longTasks.length} long tasks (> 50 ms${loaded.longTasks.length ? `, longest ${ms(Math.max(...loaded.longTasks))}` : ''}), ${ms(loaded.blocked)} blocked = ${((loaded.blocked / loaded.elapsed) * 100).toFixed(1)} % of the window; ${fps(loaded).toFixed(1)} frames/s`,
  );
  console.log(`  frames while loaded / idle:   ${(fps(loaded) / fps(idle)).toFixed(2)}   (${events} events sent, ${((events * 1000) / loaded.elapsed).toFixed(1)}/s; overall bar shows ${shown} %)`);

  // 3. The Collect table.
  const one = await tablePage(browser, app.origin, 1);
  const oneRow = await renderFromEmpty(one.page);
  await one.page.close();
  const big = await tablePage(browser, app.origin, 1000);
  const thousand = await renderFromEmpty(big.page);
  // "no" leaves almost every row; "r" then leaves the "Gateway north" third.
  const filterTimes: number[] = [];
  let leftRows = 0;
  for (let i = 0; i < PRESSES; i++) {
    await big.page.getByTestId('collect-filter').fill('no');
    await big.page.getByTestId('table-count').filter({ hasText: /^Showing (5|6|7|8|9)\d\d of/ }).waitFor();
    filterTimes.push(await pressTimed(big.page, 'r'));
    leftRows = Number(/Showing (\d+)/.exec(await big.page.getByTestId('table-count').innerText())![1]);
  }
  await big.page.close();
  const typeIn = async (page: Page) => {
    const times: number[] = [];
    for (let i = 0; i < PRESSES; i++) {
      await page.getByTestId('collect-filter').fill('');
      for (const key of ['h', 'a', 'l', 'l']) times.push(await pressTimed(page, key));
    }
    return times;
  };
  const quiet = await tablePage(browser, app.origin, 200);
  const quietTimes = await typeIn(quiet.page);
  await quiet.page.close();
  const busy = await tablePage(browser, app.origin, 200, 100);
  const busyTimes = await typeIn(busy.page);
  await busy.page.close();
  const vs = (x: number, base: number, name: string) => `${ms(x)}  = ${(x / base).toFixed(2)} × ${name}, ${(x / FRAME_MS).toFixed(2)} × the 60 fps frame (16.7 ms)`;
  console.log(`\nCollect table (gallery fixture, keydown → next painted frame, median of ${PRESSES})`);
  console.log(`  page load → 1,000 rows painted  ${ms(big.loadMs)}  = ${(big.loadMs / one.loadMs).toFixed(2)} × the same page with 1 row (${ms(one.loadMs)})`);
  console.log(`  render the 1,000-row table (0 → 1,000; the rows in view are in the page)  ${vs(thousand, oneRow, `rendering 1 row the same way (${ms(oneRow)})`)}`);
  console.log(`  filter 1,000 rows → ${leftRows}         ${vs(median(filterTimes), oneRow, 'rendering 1 row')}`);
  console.log(`  key in the filter, 200 rows:  idle ${ms(median(quietTimes))} (worst ${ms(Math.max(...quietTimes))}); while the list changes every 100 ms ${ms(median(busyTimes))} (worst ${ms(Math.max(...busyTimes))})`);
  console.log(`  busy / idle (median)            ${(median(busyTimes) / median(quietTimes)).toFixed(2)}, busy / 60 fps frame ${(median(busyTimes) / FRAME_MS).toFixed(2)}`);
} finally {
  await browser.close();
  await app.stop();
}
