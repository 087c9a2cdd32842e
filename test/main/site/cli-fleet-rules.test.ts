import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDemoBundle } from '../../../main/demo/demo-bundle';
import { LogHub } from '../../../main/log/logger';
import { ReleasesService } from '../../../main/releases/releases-service';
import { AppSettingsStore } from '../../../main/settings/app-settings';
import { startFleet, type Fleet } from '../../../main/sim/fleet';
import { fieldVersionText } from '../../../main/sim/slot-image';
import { storeSiteCatalog } from '../../../main/store/catalog-cache';
import { openDatabase } from '../../../main/store/database';
import { testSigningKeys } from '../image/signing-keys';

const root = resolve(import.meta.dirname, '..', '..', '..');

function siteflash(args: string[], dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [join(root, 'main', 'cli', 'bin.js'), ...args], { env: { ...process.env, SITEFLASH_DATA_DIR: dataDir }, timeout: 120_000 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

/**
 * The built `siteflash update --bundle` on a data folder prepared for Plant 9, whose list locks one
 * device and pins the other to 1.4.9+3 (the release has sf-sensor-t 1.5.0+17 only).
 */
describe('siteflash update --bundle applies the site list\'s fleet rules (built CLI, devices on ptys)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'siteflash-cli-rules-'));
  let fleet: Fleet;
  let bundleId = '';

  beforeAll(async () => {
    expect(existsSync(join(root, 'out', 'main', 'cli.js')), 'run `npm run build` before the tests').toBe(true);
    const folder = join(mkdtempSync(join(tmpdir(), 'siteflash-cli-rules-src-')), 'bundle');
    await writeDemoBundle(folder, testSigningKeys(dataDir));
    bundleId = (await new ReleasesService(dataDir, new LogHub(null).logger('test')).importPath(folder)).id;
    fleet = await startFleet({ count: 2, board: 'sf-sensor-t', version: '1.4.2+0', baud: 115200, dir: mkdtempSync(join(tmpdir(), 'siteflash-cli-rules-sim-')), device: { hwRev: 'A' } });
    const { db } = openDatabase({ dataDir });
    const [locked, pinned] = fleet.members.map((m) => m.device.id) as [string, string];
    const base = { siteId: 's-plant-9', board: 'sf-sensor-t', hwRev: 'A', targetVersion: null };
    storeSiteCatalog(
      db,
      {
        project: { id: 'p-north', name: 'North' },
        site: { id: 's-plant-9', projectId: 'p-north', name: 'Plant 9' },
        devices: [
          { ...base, id: locked, name: 'Tank level', locked: true, lockReason: 'Warranty case 4411' },
          { ...base, id: pinned, name: 'Outlet pump sensor', pinnedVersion: '1.4.9+3' },
        ],
        systemVersions: [],
      },
      1,
    );
    db.close();
    new AppSettingsStore(dataDir).update({ siteIds: ['s-plant-9'] });
  }, 60_000);
  afterAll(async () => {
    await fleet?.stop();
  });

  it('refuses the locked device with its reason and the pinned one with its pin: exit 4, nothing installed', async () => {
    const ports = fleet.members.flatMap((m) => ['--port', m.clientPath]);
    const r = await siteflash(['update', '--bundle', bundleId, ...ports, '--no-confirm', '--technician', 'Ada Tech', '--site', 'Plant 9', '--json'], dataDir);
    expect(r.code, r.stderr).toBe(4);
    const { jobs } = JSON.parse(r.stdout) as { jobs: { devices: { state: string; reasonKind: string | null; reason: string | null }[] }[] };
    const devices = jobs[0]!.devices;
    expect(devices.map((d) => `${d.state} ${d.reasonKind}`)).toEqual(['failed locked', 'failed pinned-version-missing']);
    expect(devices[0]!.reason).toContain('Warranty case 4411');
    expect(devices[1]!.reason).toContain('Pinned to 1.4.9+3; this release has 1.5.0+17');
    expect(fleet.members.map((m) => fieldVersionText(m.device.flash.image(0)!.version))).toEqual(['1.4.2+0', '1.4.2+0']);
  }, 120_000);
});
