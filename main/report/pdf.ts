import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SiteflashError } from '../errors';

/** Turns a self-contained HTML page into a PDF. The Electron shell passes webContents.printToPDF; elsewhere Chromium's own. */
export type PdfPrinter = (html: string) => Promise<Buffer>;

/** The Chromium (or Chrome) on this computer, if any: `SITEFLASH_CHROMIUM`, else the usual names on PATH. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.SITEFLASH_CHROMIUM) return env.SITEFLASH_CHROMIUM;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
    const found = spawnSync('which', [name], { encoding: 'utf8' });
    if (found.status === 0 && found.stdout.trim()) return found.stdout.trim();
  }
  return null;
}

/**
 * Chromium's print-to-PDF, headless (`--print-to-pdf`, no header or footer): the browser host's and
 * the CLI's printer. The page is written to a private temporary folder and removed afterwards.
 */
export function chromiumPdfPrinter(opts: { browser?: string | null; timeoutMs?: number } = {}): PdfPrinter {
  return async (html) => {
    const browser = opts.browser ?? findChromium();
    if (!browser) throw new SiteflashError('pdf-unavailable', 'No Chromium or Chrome was found to print the report to PDF: install one, or print the HTML report from a browser.');
    const dir = await mkdtemp(join(tmpdir(), 'siteflash-report-'));
    try {
      const page = join(dir, 'report.html');
      const pdf = join(dir, 'report.pdf');
      await writeFile(page, html, 'utf8');
      const args = ['--headless', '--disable-gpu', '--no-first-run', '--disable-background-networking', `--user-data-dir=${join(dir, 'profile')}`, '--no-pdf-header-footer', `--print-to-pdf=${pdf}`, pathToFileURL(page).href];
      if (process.getuid?.() === 0) args.unshift('--no-sandbox');
      await new Promise<void>((done, fail) =>
        execFile(browser, args, { timeout: opts.timeoutMs ?? 120_000 }, (err, _out, stderr) =>
          err ? fail(new SiteflashError('pdf-failed', `Chromium could not print the report to PDF: ${err.message} ${String(stderr).slice(-300)}`)) : done(),
        ),
      );
      return await readFile(pdf).catch(() => {
        throw new SiteflashError('pdf-failed', 'Chromium ran but wrote no PDF of the report.');
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}
