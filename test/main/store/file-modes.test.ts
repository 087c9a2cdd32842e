/**
 * What the built `siteflash` command creates in a fresh data folder is private to the account:
 * folders 0700, files 0600 (imported keys, the database and its -wal/-shm), whatever the umask of
 * the shell that ran it. Needs `npm run build`.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', '..', 'main', 'cli', 'bin.js');
const dir = mkdtempSync(join(tmpdir(), 'siteflash-modes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function modes(root: string): Record<string, string> {
  const out: Record<string, string> = { '.': (statSync(root).mode & 0o777).toString(8) };
  for (const e of readdirSync(root, { withFileTypes: true, recursive: true })) {
    const p = join(e.parentPath, e.name);
    out[p.slice(root.length + 1)] = (statSync(p).mode & 0o777).toString(8);
  }
  return out;
}

describe('files the siteflash command creates', () => {
  it('are 0600 in 0700 folders, even when started with umask 022', { timeout: 60_000 }, async () => {
    const dataDir = join(dir, 'data');
    const pub = join(dir, 'fleet.pub.pem');
    writeFileSync(pub, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
    const run = (args: string) => promisify(execFile)('sh', ['-c', `umask 022 && exec "${process.execPath}" "${BIN}" ${args}`], { env: { ...process.env, SITEFLASH_DATA_DIR: dataDir } });
    await run(`keys import "${pub}" --name fleet --role release`);
    await run('history --json');
    const seen = modes(dataDir);
    expect(Object.keys(seen)).toEqual(expect.arrayContaining(['keys', 'keys/release', 'keys/release/fleet.pub.pem', 'siteflash.db']));
    for (const [path, mode] of Object.entries(seen)) {
      const isDir = statSync(join(dataDir, path)).isDirectory();
      expect({ path, mode }).toEqual({ path, mode: isDir ? '700' : '600' });
    }
  });
});
