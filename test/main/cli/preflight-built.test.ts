import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppSettingsStore } from '../../../main/settings/app-settings';
import { storeSiteCatalog } from '../../../main/store/catalog-cache';
import { openDatabase } from '../../../main/store/database';

const root = resolve(import.meta.dirname, '..', '..', '..');

/** Runs the built `siteflash` as a technician would; resolves with its exit code and output. */
function siteflash(args: string[], dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [join(root, 'main', 'cli', 'bin.js'), ...args], { env: { ...process.env, SITEFLASH_DATA_DIR: dataDir }, timeout: 60_000 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

type Report = { checks: { id: string; status: string; detail: string; fix?: string }[]; worst: string };

describe('siteflash preflight (built CLI, the real checks of this computer)', () => {
  it('documents its exit codes in --help', async () => {
    expect(existsSync(join(root, 'out', 'main', 'cli.js')), 'run `npm run build` before the tests').toBe(true);
    const r = await siteflash(['preflight', '--help'], mkdtempSync(join(tmpdir(), 'siteflash-pf-cli-')));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\n {2}0 {4}nothing failed/);
    expect(r.stdout).toMatch(/\n {2}1 {4}at least one check failed/);
  });

  it('prints the seven checks, each with a status word and the fix under lines that are not ok; exit 0 when nothing fails', { timeout: 60_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'siteflash-pf-cli-'));
    const json = await siteflash(['preflight', '--json'], dataDir);
    const report = JSON.parse(json.stdout) as Report;
    expect(report.checks.map((c) => c.id)).toEqual(['bluetooth', 'serial', 'hid', 'keychain', 'disk', 'clock', 'release']);
    expect(json.code).toBe(report.checks.some((c) => c.status === 'fail') ? 1 : 0);
    const text = await siteflash(['preflight'], dataDir);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines.filter((l) => /^\[(ok|warn|FAIL|\?)\]/.test(l))).toHaveLength(7);
    expect(lines.filter((l) => l.trimStart().startsWith('fix: '))).toHaveLength(report.checks.filter((c) => c.fix).length);
    expect(text.stdout).toContain('[?]    The release covers every device: No site is chosen for this visit');
  });

  it('keeps stdout one JSON document for device commands that load Bluetooth: its warnings go to stderr', { timeout: 60_000 }, async () => {
    // Without a Bluetooth adapter (here and in CI) noble prints "noble warning: …" with console.log.
    const r = await siteflash(['devices', '--json'], mkdtempSync(join(tmpdir(), 'siteflash-pf-cli-')));
    expect(r.code).toBe(0);
    expect(() => JSON.parse(r.stdout) as unknown).not.toThrow();
    expect(r.stdout).not.toContain('noble');
  });

  it('exits 1 when a check fails: a prepared site whose release is not on this laptop and does not fit on the disk', { timeout: 60_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'siteflash-pf-cli-'));
    const { db } = openDatabase({ dataDir });
    storeSiteCatalog(
      db,
      {
        project: { id: 'p', name: 'Plant' },
        site: { id: 'north', projectId: 'p', name: 'North hall' },
        devices: [{ id: '0011223344556677', siteId: 'north', name: 'Pump 1', board: 'sf-meter-m', hwRev: '3', targetVersion: '2026.1' }],
        systemVersions: [{ projectId: 'p', version: '2026.1', bundle: { id: 'plant-2026.1', size: 2 ** 52, sha256: 'a'.repeat(64) } }],
      },
      Date.now(),
    );
    db.close();
    new AppSettingsStore(dataDir).update({ siteIds: ['north'] });
    const r = await siteflash(['preflight'], dataDir);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('[FAIL] Disk space in the data folder');
    expect(r.stdout).toContain('[FAIL] The release covers every device: 1 of 1 devices on North hall are not covered');
  });
});
