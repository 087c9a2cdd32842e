import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterEach, beforeEach } from 'vitest';
import { exchangeLaunchCode } from '../main/host/host-client';

export const root = resolve(import.meta.dirname, '..', '..');
export const resultsDir = join(root, 'test-results');

/** A running browser host (the real `npm start` entry, in browser mode) with its own data folder. */
export interface RunningApp {
  /** The app's address with this run's session secret in the fragment, for {@link openPage} (any number of pages). */
  url: string;
  origin: string;
  /** The session secret the harness got for the host's one-time launch code (spent by the harness). */
  session: string;
  dataDir: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts `out/main/start.js --browser --no-open`, reads the address it prints and spends its
 * one-time launch code for the session secret (as the first page would). Needs `npm run build` first.
 */
export async function startApp(env: Record<string, string> = {}): Promise<RunningApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'siteflash-e2e-'));
  const child = spawn(process.execPath, [join(root, 'out', 'main', 'start.js'), '--browser', '--no-open'], {
    env: { ...process.env, SITEFLASH_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`browser host did not start:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /open (http:\/\/127\.0\.0\.1:\d+\/#code=[\w-]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]!);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`browser host exited (${code}):\n${output}`)));
  });
  const parsed = new URL(url);
  const session = await exchangeLaunchCode(parsed.origin, new URLSearchParams(parsed.hash.slice(1)).get('code')!);
  return {
    url: `${parsed.origin}/#session=${session}`,
    origin: parsed.origin,
    session,
    dataDir,
    process: child,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

/** The system Chromium, as the project's tests always launch it. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * A page at the 1366×768 laptop size the app is designed for. A `#session=` in `url` is put in the
 * page's sessionStorage before any script runs (where the app keeps it after spending a launch
 * code), and the page opens at the bare address.
 */
export async function openPage(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  const parsed = new URL(url);
  const session = new URLSearchParams(parsed.hash.slice(1)).get('session');
  if (session) await page.addInitScript({ content: `sessionStorage.setItem('siteflash-session', ${JSON.stringify(session)});` });
  await page.goto(session ? `${parsed.origin}${parsed.pathname}` : url);
  return page;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(resultsDir, { recursive: true });
  const path = join(resultsDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * For a describe block whose tests are the steps of one visit, each building on the one before:
 * once a step fails, a screenshot of the page is saved as `failureShot` and the later steps are
 * skipped rather than each timing out.
 */
export function stepwise(page: () => Page | undefined, failureShot: string): void {
  let broken = false;
  beforeEach((ctx) => {
    if (broken) ctx.skip();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail' || broken) return;
    broken = true;
    const p = page();
    if (p) await screenshot(p, failureShot);
  });
}
