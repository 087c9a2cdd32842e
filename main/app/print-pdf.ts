import { BrowserWindow } from 'electron';
import type { PdfPrinter } from '../report/pdf';

/**
 * Electron's print-to-PDF for visit reports: the report page loads in a hidden, locked-down window
 * (no preload, sandbox, JavaScript off: the page has no scripts) and webContents.printToPDF prints it.
 */
export const electronPdfPrinter: PdfPrinter = async (html) => {
  const win = new BrowserWindow({ show: false, webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false } });
  try {
    win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
    await win.loadURL(`data:text/html;charset=utf-8,${encodeURIComponent(html)}`);
    return await win.webContents.printToPDF({ pageSize: 'A4', printBackground: true, preferCSSPageSize: true });
  } finally {
    win.destroy();
  }
};
