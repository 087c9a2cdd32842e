import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HeardDevice } from '../../../preload/api';
import { demoSiteDevices } from '../../../main/demo/demo-catalog';
import { DemoSiteRunner } from '../../../main/demo/demo-site';
import { buildBundle, buildImage, seededBody, writeBundleFolder } from '../../../main/image';
import type { JobSpec } from '../../../main/jobs/types';
import { annotateHeard, checklistOf, currentSiteList } from '../../../main/site/site-list';
import { storeSiteCatalog, type CatalogDevice } from '../../../main/store/catalog-cache';
import { openDatabase, type Db } from '../../../main/store/database';
import { JobJournal } from '../../../main/store/journal';
import { testSigningKeys } from '../image/signing-keys';

const dirs: string[] = [];
const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'siteflash-checklist-'));
  dirs.push(d);
  return d;
}

const dev = (id: string, name: string, extra: Partial<CatalogDevice> = {}): CatalogDevice => ({
  id,
  siteId: 's-plant-9',
  name,
  board: 'sf-sensor-t',
  hwRev: 'A',
  targetVersion: null,
  location: `Hall ${name}`,
  ...extra,
});

/** Plant 9: target 2026.12.0 (its bundle holds sf-sensor-t 1.5.0+17), one device pinned to 1.4.9+3. */
async function plant9(dataDir: string): Promise<Db> {
  const { db } = openDatabase({ dataDir });
  dbs.push(db);
  const keys = testSigningKeys();
  const image = buildImage({ body: seededBody('c', 4096), version: '1.5.0+17', signingKey: keys.image, board: 'sf-sensor-t' });
  await writeBundleFolder(
    join(dataDir, 'bundles', 'plant9-2026.12'),
    buildBundle({ id: 'plant9-2026.12', systemVersion: '2026.12.0', created: '2026-12-01T08:00:00.000Z', components: [{ board: 'sf-sensor-t', hwRevisions: ['A', 'B'], name: 'a.bin', image }], releaseKey: keys.release }),
  );
  storeSiteCatalog(
    db,
    {
      project: { id: 'p-north', name: 'North' },
      site: { id: 's-plant-9', projectId: 'p-north', name: 'Plant 9', targetVersion: '2026.12.0', groups: [] },
      devices: [
        dev('5f1a550000000001', 'Flow 1'),
        dev('5f1a550000000002', 'Flow 2'),
        dev('5f1a550000000003', 'Flow 3'),
        dev('5f1a550000000004', 'Flow 4'),
        dev('5f1a550000000005', 'Pinned', { pinnedVersion: '1.4.9+3' }),
        dev('5f1a550000000006', 'Other board', { board: 'sf-meter-m' }),
      ],
      systemVersions: [{ projectId: 'p-north', version: '2026.12.0', bundle: { id: 'plant9-2026.12', size: 1, sha256: '00'.repeat(32) } }],
    },
    1,
  );
  return db;
}

const spec = (site: string): JobSpec => ({ release: { kind: 'bundle', name: 'x', components: [] }, targets: [], policy: { ledConfirm: false, retries: 0, afterRejoin: 'confirm' }, technician: 'Ada', site });

/** Journals one device of a job ending `end` having run `from` → `to`, at `site`. */
function result(j: JobJournal, site: string, deviceId: string, end: 'done' | 'failed' | 'cancelled', toVersion: string | null, n = 0): void {
  const jobId = `job-${deviceId}-${n}-${end}`;
  j.createJob(jobId, spec(site), [{ key: `k-${deviceId}`, link: `k-${deviceId}` }]);
  if (end === 'cancelled') return void j.transition(jobId, `k-${deviceId}`, 'cancelled', { deviceId, reason: 'left alone' });
  j.transition(jobId, `k-${deviceId}`, 'in-update-mode', { deviceId, board: 'sf-sensor-t', fromVersion: '1.4.2+0' });
  if (end === 'failed') return void j.transition(jobId, `k-${deviceId}`, 'failed', { reason: 'out of range', reasonKind: 'timeout' });
  j.transition(jobId, `k-${deviceId}`, 'verified', { toVersion });
  j.transition(jobId, `k-${deviceId}`, 'done', {});
}

const heard = (id: string): HeardDevice => ({ id, board: 'sf-sensor-t', hw: 'A', version: '1.4.2+0', mode: 'update', led: 'update', via: 'gateway', gateway: { id: 'gw-1', label: 'gateway 1' }, target: { kind: 'gateway', deviceId: id } });

describe('the site checklist', () => {
  it('counts done only where the latest result at this site shows the expected version installed', async () => {
    const dataDir = tempDir();
    const db = await plant9(dataDir);
    const j = new JobJournal(db);
    result(j, 'Plant 9', '5f1a550000000001', 'done', '1.5.0+17'); // done on the site target's image
    result(j, 'Plant 9', '5f1a550000000002', 'done', '1.4.9+0'); // done, but on another version
    result(j, 'Plant 9', '5f1a550000000003', 'done', '1.5.0+17');
    result(j, 'Plant 9', '5f1a550000000003', 'failed', null, 1); // a later failure: its latest result is not done
    result(j, 'Elsewhere', '5f1a550000000004', 'done', '1.5.0+17'); // at another site
    result(j, 'Plant 9', '5f1a550000000005', 'done', '1.4.9+3'); // pinned, on its pin
    result(j, 'Plant 9', '5f1a550000000005', 'cancelled', null, 1); // a later cancel changes nothing on the device
    const list = currentSiteList(db, join(dataDir, 'bundles'), { siteName: 'plant 9', siteIds: ['s-plant-9'], demoRunning: false });
    const c = checklistOf(db, list!, ['Plant 9'], [heard('5f1a550000000002'), heard('5F1A5500000000AA')]);
    expect({ total: c.total, done: c.done, toDo: c.toDo }).toEqual({ total: 6, done: 2, toDo: 4 });
    expect(c.devices.filter((d) => d.done).map((d) => d.name)).toEqual(['Flow 1', 'Pinned']);
    // To-do ones first, with what the technician needs to find them.
    expect(c.devices.slice(0, 4).map((d) => `${d.name} @ ${d.location}`)).toEqual(['Flow 2 @ Hall Flow 2', 'Flow 3 @ Hall Flow 3', 'Flow 4 @ Hall Flow 4', 'Other board @ Hall Other board']);
    expect(c.devices.find((d) => d.name === 'Flow 2')).toMatchObject({ expectedVersion: '1.5.0+17', heard: true, last: { result: 'done', version: '1.4.9+0' } });
    expect(c.devices.find((d) => d.name === 'Pinned')?.expectedVersion).toBe('1.4.9+3');
    // The release of the target has no sf-meter-m image: no version can be expected of it here.
    expect(c.devices.find((d) => d.name === 'Other board')?.expectedVersion).toBeNull();
    expect(c.notOnList).toEqual(['5f1a5500000000aa']);
  });

  it('annotates the devices heard with names, places and rules, and flags those not on the list', async () => {
    const dataDir = tempDir();
    const db = await plant9(dataDir);
    const list = currentSiteList(db, join(dataDir, 'bundles'), { siteName: '', siteIds: ['s-plant-9'], demoRunning: false });
    const [a, b, x] = annotateHeard(list, [heard('5f1a550000000001'), heard('5f1a550000000005'), heard('0000000000000009')]);
    expect(a).toMatchObject({ name: 'Flow 1', location: 'Hall Flow 1', onList: true, rule: { text: 'target 2026.12.0 (site)', pinnedVersion: null } });
    expect(b?.rule).toMatchObject({ text: 'pinned to 1.4.9+3', pinnedVersion: '1.4.9+3' });
    expect(x).toMatchObject({ onList: false });
    expect(x?.name).toBeUndefined();
  });

  it('applies the demo list while the demo runs, the prepared site named on Home, or the only one prepared; none when it cannot tell', async () => {
    const dataDir = tempDir();
    const db = await plant9(dataDir);
    storeSiteCatalog(db, { project: { id: 'p-north', name: 'North' }, site: { id: 's-depot', projectId: 'p-north', name: 'Depot' }, devices: [], systemVersions: [] }, 1);
    const bundles = join(dataDir, 'bundles');
    expect(currentSiteList(db, bundles, { siteName: 'Depot', siteIds: ['s-plant-9', 's-depot'], demoRunning: true })?.catalog.site.name).toBe('Demo site');
    expect(currentSiteList(db, bundles, { siteName: 'Depot', siteIds: ['s-plant-9', 's-depot'], demoRunning: false })?.catalog.site.name).toBe('Depot');
    expect(currentSiteList(db, bundles, { siteName: 'Somewhere', siteIds: ['s-plant-9'], demoRunning: false })?.catalog.site.name).toBe('Plant 9');
    expect(currentSiteList(db, bundles, { siteName: 'Somewhere', siteIds: ['s-plant-9', 's-depot'], demoRunning: false })).toBeNull();
    expect(currentSiteList(db, bundles, { siteName: '', siteIds: [], demoRunning: false })).toBeNull();
  });

  it('lists every device of the running demo site on the demo list, and nothing else', () => {
    const demo = new DemoSiteRunner();
    demo.start();
    try {
      expect(demoSiteDevices().map((d) => `${d.id} ${d.board} ${d.hwRev}`).sort()).toEqual(demo.snapshot().devices.map((d) => `${d.id} ${d.board} ${d.hw}`).sort());
    } finally {
      demo.stop();
    }
  });
});
