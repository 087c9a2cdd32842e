import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, closed, openSocket } from '../main/host/host-client';
import { root } from './harness';
import { cmdline, processGroup } from './proc';

/** Children of `pid` (by the parent id in /proc/<child>/stat). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .filter((n) => {
      try {
        const stat = readFileSync(`/proc/${n}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function until<T>(what: string, get: () => T | null | undefined | false, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * `npm start` in the browser host as a technician runs it: the host opens Chromium itself (headless
 * here, with a DevTools port so that the test can read the page), with the launch code in
 * Chromium's command line.
 */
describe('the launch code and the browser the host starts', () => {
  let host: ChildProcess;
  let output = '';
  let dataDir: string;
  let origin: string;
  let chromiumPid: number;
  let cdp: Browser | null = null;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'siteflash-e2e-launch-'));
    host = spawn(process.execPath, [join(root, 'out', 'main', 'start.js'), '--browser'], {
      env: {
        ...process.env,
        SITEFLASH_DATA_DIR: dataDir,
        SITEFLASH_BROWSER: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
        SITEFLASH_BROWSER_ARGS: '--headless=new --no-sandbox --disable-gpu --remote-debugging-port=0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    host.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    host.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    origin = await until('the host to start', () => /running at (http:\/\/127\.0\.0\.1:\d+) in /.exec(output)?.[1]);
    chromiumPid = await until('Chromium to be started', () => childrenOf(host.pid!)[0]);
    const portFile = join(dataDir, 'browser-profile', 'DevToolsActivePort');
    const port = await until('Chromium DevTools port', () => existsSync(portFile) && readFileSync(portFile, 'utf8').split('\n')[0]);
    cdp = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
  }, 120_000);
  afterAll(async () => {
    await cdp?.close().catch(() => undefined);
    if (host.exitCode === null) host.kill('SIGKILL');
    for (const pid of processGroup(chromiumPid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });

  it('Chromium spends the code; the session secret it gets is on no command line; the used code is refused', async () => {
    const page = await until('the app page', () => cdp!.contexts().flatMap((c) => c.pages()).find((p) => p.url().startsWith(origin)));
    await page.getByRole('button', { name: 'Releases' }).waitFor({ timeout: 60_000 });
    const secret = (await page.evaluate("sessionStorage.getItem('siteflash-session')")) as string | null;
    expect(secret).toMatch(/^[\w-]{40,}$/);
    // The code was in the address: the page dropped it from its address bar.
    expect(page.url()).not.toContain('code=');

    const group = processGroup(chromiumPid);
    expect(group).toContain(chromiumPid);
    const lines = [...group, host.pid!, process.pid].map(cmdline);
    const code = /#code=([\w-]+)/.exec(cmdline(chromiumPid))?.[1];
    expect(code, 'the launch code is on the browser command line (it is spent at once)').toBeTruthy();
    for (const line of lines) expect(line).not.toContain(secret!);

    await expect(openSocket(origin, `?code=${code}`)).rejects.toThrow('HTTP 401');
    const ws = await openSocket(origin, `?session=${secret}`);
    expect(await ask(ws, 1, 'app:get-info')).toMatchObject({ ok: true, value: { host: 'browser' } });
    ws.close();
    await closed(ws);
  }, 120_000);

  it('Ctrl-C ends the host and every process of the Chromium it started', async () => {
    await cdp?.close().catch(() => undefined);
    cdp = null;
    expect(processGroup(chromiumPid).length).toBeGreaterThan(0);
    const exited = new Promise<number | null>((r) => host.once('exit', (c) => r(c)));
    host.kill('SIGINT');
    expect(await exited).toBe(0);
    await until('Chromium to end', () => processGroup(chromiumPid).length === 0, 30_000);
    expect(processGroup(chromiumPid)).toEqual([]);
  }, 60_000);
});
