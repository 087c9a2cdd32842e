import { app, BrowserWindow, dialog, session } from 'electron';
import { join } from 'node:path';
import { Core } from '../core';
import { prepareDataDir, restrictNewFiles } from '../paths';
import { lockDataDir } from '../store/lock-file';
import { registerIpc } from './ipc';
import { electronPdfPrinter } from './print-pdf';
import { APP_ORIGIN, registerSchemePrivileges, serveRenderer } from './protocol';

/**
 * The Electron shell: one window, locked down (context isolation, sandbox, no Node, CSP, no
 * navigation, no new windows, no permissions), wired to the core through IPC. All behaviour is in
 * the core; this file only hosts it. One instance per user: a second start focuses the first
 * window and quits. A failure to start is shown in a dialog, not only on a console nobody sees.
 */
const outDir = join(import.meta.dirname, '..');
registerSchemePrivileges();
app.setName('siteflash');
if (app.isPackaged) process.env.SITEFLASH_RESOURCES = join(process.resourcesPath, 'resources');

let window: BrowserWindow | null = null;
const firstInstance = app.requestSingleInstanceLock();
if (!firstInstance) {
  // Another siteflash runs for this user: it is told (second-instance) and shows its window.
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  });
}

async function main(): Promise<void> {
  await app.whenReady();
  restrictNewFiles();
  let core: Core;
  try {
    // One siteflash per data folder (the app or the browser host): the lock names the other one.
    prepareDataDir(app.getPath('userData'));
    lockDataDir(app.getPath('userData'), 'the siteflash app');
    core = new Core({ dataDir: app.getPath('userData'), host: 'electron', printPdf: electronPdfPrinter }).start();
  } catch (err) {
    dialog.showErrorBox('siteflash cannot start', err instanceof Error ? err.message : String(err));
    app.exit(1);
    return;
  }
  serveRenderer(join(outDir, 'renderer'));
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  registerIpc(core, () => window?.webContents ?? null);

  window = new BrowserWindow({
    width: 1366,
    height: 768,
    minWidth: 1024,
    minHeight: 640,
    title: 'siteflash',
    show: false,
    webPreferences: {
      preload: join(outDir, 'preload', 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  window.once('ready-to-show', () => window?.show());
  window.on('closed', () => (window = null));
  await window.loadURL(`${APP_ORIGIN}/index.html`);

  app.on('window-all-closed', () => {
    void core.close().finally(() => app.quit());
  });
}

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault());
});

if (firstInstance) {
  main().catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    console.error('siteflash failed to start:', err);
    dialog.showErrorBox('siteflash could not start', `${message}\n\nFix the cause named above, then start siteflash again.`);
    app.exit(1);
  });
}
