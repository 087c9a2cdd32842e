import { app, BrowserWindow, session } from 'electron';
import { join } from 'node:path';
import { Core } from '../core';
import { registerIpc } from './ipc';
import { electronPdfPrinter } from './print-pdf';
import { APP_ORIGIN, registerSchemePrivileges, serveRenderer } from './protocol';

/**
 * The Electron shell: one window, locked down (context isolation, sandbox, no Node, CSP, no
 * navigation, no new windows, no permissions), wired to the core through IPC. All behaviour is in
 * the core; this file only hosts it.
 */
const outDir = join(import.meta.dirname, '..');
registerSchemePrivileges();
app.setName('siteflash');
if (app.isPackaged) process.env.SITEFLASH_RESOURCES = join(process.resourcesPath, 'resources');

let window: BrowserWindow | null = null;

async function main(): Promise<void> {
  await app.whenReady();
  const core = new Core({ dataDir: app.getPath('userData'), host: 'electron', printPdf: electronPdfPrinter }).start();
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

main().catch((err: unknown) => {
  console.error('siteflash failed to start:', err);
  app.exit(1);
});
