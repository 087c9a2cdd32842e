import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Core } from '../core';
import { defaultDataDir, prepareDataDir, restrictNewFiles } from '../paths';
import { lockDataDir } from '../store/lock-file';
import { startBrowserHost } from './server';

/**
 * `npm start`: runs the Electron app where Electron's runtime is installed; otherwise says so in one
 * line and runs the browser host, opening the system Chromium in app mode (or printing the address).
 * `SITEFLASH_BROWSER` names the browser to open (skipping the search), `SITEFLASH_BROWSER_ARGS`
 * adds arguments to it (space-separated).
 */
const root = join(import.meta.dirname, '..', '..');
const { values } = parseArgs({
  options: { browser: { type: 'boolean', default: false }, 'no-open': { type: 'boolean', default: false }, port: { type: 'string' } },
  allowPositionals: false,
});

const electron = values.browser ? null : electronBinary();
if (electron) {
  const child = spawn(electron, [root], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  if (!values.browser) console.log("Electron's runtime is not installed here: starting siteflash in the browser host instead.");
  await runBrowserHost(values['no-open'], values.port ? Number(values.port) : 0);
}

function electronBinary(): string | null {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown;
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

async function runBrowserHost(noOpen: boolean, port: number): Promise<void> {
  restrictNewFiles();
  let core: Core;
  try {
    // One siteflash per data folder: a second one would resume the same jobs (the lock names the first).
    prepareDataDir(defaultDataDir());
    lockDataDir(defaultDataDir(), 'the siteflash browser host');
    core = new Core({ dataDir: defaultDataDir(), host: 'browser' }).start();
  } catch (err) {
    console.error(`siteflash cannot start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  const host = await startBrowserHost({ core, rendererDir: join(root, 'out', 'renderer'), port });
  let browserChild: ChildProcess | null = null;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    endBrowser(browserChild);
    await host.close();
    await core.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.on('SIGHUP', () => void stop());
  // However the host ends, the browser it started ends with it.
  process.on('exit', () => endBrowser(browserChild));

  const chosen = process.env.SITEFLASH_BROWSER;
  const browser = noOpen ? null : chosen ? chosen : hasDisplay() ? findBrowser() : null;
  if (!browser) {
    console.log(`siteflash is running: open ${host.url} in a browser on this computer (the address works once; Ctrl-C stops siteflash).`);
    return;
  }
  console.log(`siteflash is running at ${host.origin} in ${browser} (close the window or press Ctrl-C to stop).`);
  // The launch code is on the browser's command line, where any local user can read it; it is
  // spent by the page's first connection, and the session secret it buys is never on a command line.
  const args = [
    `--app=${host.url}`,
    `--user-data-dir=${join(defaultDataDir(), 'browser-profile')}`,
    '--no-first-run',
    '--disable-background-networking',
    '--window-size=1366,768',
    ...(process.env.SITEFLASH_BROWSER_ARGS?.split(' ').filter(Boolean) ?? []),
  ];
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  // Its own process group, so that ending it ends its helper processes too.
  browserChild = spawn(browser, args, { stdio: 'ignore', detached: true });
  browserChild.on('error', (err) => console.error(`Could not start ${browser}: ${err.message}. Open ${host.origin} from this program's address instead.`));
  browserChild.on('exit', () => {
    browserChild = null;
    void stop();
  });
}

/** Ends the browser's whole process group (the browser and its renderer, GPU and zygote helpers). */
function endBrowser(child: ChildProcess | null): void {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    child.kill('SIGTERM');
  }
}

function hasDisplay(): boolean {
  return process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

function findBrowser(): string | null {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
    const found = spawnSync('which', [name], { encoding: 'utf8' });
    if (found.status === 0 && found.stdout.trim()) return found.stdout.trim();
  }
  return null;
}
