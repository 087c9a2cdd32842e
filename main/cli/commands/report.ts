/**
 * `siteflash report list | export --visit ID [--out DIR] | verify FILE [--sig FILE] [--fingerprint HEX]`:
 * visit reports (main/report/). `export` writes the JSON, its detached Ed25519 signature (`.sig`)
 * and a printable HTML page; `verify` exits 0 when the signature and every row check out, 1 if not.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { version } from '../../../package.json';
import { SiteflashError } from '../../errors';
import { readRegularFile } from '../../image/regular-file';
import { exportVisitReport } from '../../report/export';
import { chromiumPdfPrinter } from '../../report/pdf';
import { verifyReport } from '../../report/sign';
import { listVisits } from '../../report/visits';
import { SecretStore } from '../../secrets/secret-store';
import { DATABASE_FILE, openDatabase } from '../../store/database';
import { EXIT, parseOptions, UsageError, type Command } from '../command';

const listCommand: Command = {
  name: 'report list',
  summary: 'List the visits (one technician, one site, one day) a report can be made of',
  usage: 'report list [--json]',
  async run(argv, ctx) {
    parseOptions(argv, {}, false);
    const { db } = openDatabase({ dataDir: ctx.dataDir });
    try {
      const visits = listVisits(db);
      if (ctx.json) ctx.out(JSON.stringify({ visits }, null, 2));
      else if (visits.length === 0) ctx.out('No visits yet: the journal has no jobs.');
      else for (const v of visits) ctx.out(`${v.id}  ${v.site ?? '-'}  ${v.technician}  ${v.jobIds.length} job${v.jobIds.length === 1 ? '' : 's'}`);
    } finally {
      db.close();
    }
    return EXIT.ok;
  },
};

const exportCommand: Command = {
  name: 'report export',
  summary: 'Write the signed report of a visit: JSON, its Ed25519 signature (.sig), an HTML page and its PDF (Chromium print-to-PDF)',
  usage: 'report export --visit ID [--out DIR] [--no-pdf] [--json]',
  async run(argv, ctx) {
    const { values } = parseOptions(argv, { visit: { type: 'string' }, out: { type: 'string' }, 'no-pdf': { type: 'boolean' } }, false);
    if (!values.visit) throw new UsageError('--visit is needed (`siteflash report list` shows the visits)');
    const out = resolve(values.out ?? '.');
    const { db } = openDatabase({ dataDir: ctx.dataDir });
    let files;
    try {
      files = await exportVisitReport(db, new SecretStore(), { visitId: values.visit, now: Date.now(), appVersion: version });
    } finally {
      db.close();
    }
    await mkdir(out, { recursive: true });
    const json = join(out, files.fileName);
    const paths = { json, signature: `${json}.sig`, html: json.replace(/\.json$/, '.html'), pdf: null as string | null };
    await writeFile(paths.json, files.json, 'utf8');
    await writeFile(paths.signature, Buffer.from(files.signatureBase64, 'base64'));
    await writeFile(paths.html, files.html, 'utf8');
    if (!values['no-pdf']) {
      try {
        const pdf = json.replace(/\.json$/, '.pdf');
        await writeFile(pdf, await chromiumPdfPrinter()(files.html));
        paths.pdf = pdf;
      } catch (err) {
        // The signed JSON is the record; a missing printer costs the printout only.
        ctx.err(`siteflash report export: no PDF: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (ctx.json) ctx.out(JSON.stringify({ visitId: files.visitId, fingerprint: files.fingerprint, ...paths }, null, 2));
    else ctx.out(`Wrote the report of visit ${files.visitId}:\n  ${paths.json}\n  ${paths.signature} (Ed25519, laptop key ${files.fingerprint})\n  ${paths.html}${paths.pdf ? `\n  ${paths.pdf}` : ''}`);
    return EXIT.ok;
  },
};

/** Largest report file read: a visit of a few thousand devices is a few MiB of JSON. */
const REPORT_MAX_BYTES = 64 * 1024 * 1024;
/** An Ed25519 signature is 64 bytes; room for an encoded one. */
const SIGNATURE_MAX_BYTES = 4096;

const verifyCommand: Command = {
  name: 'report verify',
  summary: "Check a visit report: its signature, that every row is its audit row, and against this laptop's audit log if it has one (exit 0 good, 1 not)",
  usage: 'report verify FILE [--sig FILE] [--fingerprint HEX] [--json]',
  async run(argv, ctx) {
    const { values, positionals } = parseOptions(argv, { sig: { type: 'string' }, fingerprint: { type: 'string' } });
    const [file] = positionals;
    if (!file || positionals.length > 1) throw new UsageError('give exactly one report file');
    // Regular files only, refused before reading (a FIFO would hang the check), like every other file input.
    const read = (path: string, maxBytes: number) => readRegularFile(path, maxBytes, (why) => new SiteflashError('not-found', `Cannot read ${path}: ${why}.`));
    const bytes = await read(file, REPORT_MAX_BYTES);
    const signature = await read(values.sig ?? `${file}.sig`, SIGNATURE_MAX_BYTES);
    // The laptop's own journal, when there is one; a report checked elsewhere is checked on its own.
    const db = existsSync(join(ctx.dataDir, DATABASE_FILE)) ? openDatabase({ dataDir: ctx.dataDir }).db : null;
    let verdict;
    try {
      verdict = verifyReport(bytes, signature, { db, ...(values.fingerprint ? { fingerprint: values.fingerprint } : {}) });
    } finally {
      db?.close();
    }
    if (ctx.json) ctx.out(JSON.stringify(verdict, null, 2));
    else {
      ctx.out(`${verdict.ok ? 'VALID' : 'INVALID'}: visit report ${verdict.visitId ?? '?'}${db ? '' : " (no journal on this laptop: checked without it)"}`);
      for (const c of verdict.checks) ctx.out(`  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.what}`);
    }
    return verdict.ok ? EXIT.ok : EXIT.failed;
  },
};

export const reportCommands: Command[] = [listCommand, exportCommand, verifyCommand];
