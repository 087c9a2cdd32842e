import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readSiteCatalog } from '../../../main/store/catalog-cache';
import { openDatabase } from '../../../main/store/database';
import { MIGRATIONS } from '../../../main/store/migrations/index';
import { readSyncState, recordCloudOffset, recordSyncError, recordSyncSuccess } from '../../../main/store/sync-state';
import type { SyncError } from '../../../main/sync/sync-error';
import { makeHarness, type Harness } from './harness';
import { openApiChecker } from './openapi-validator';
import { DEVICES, SITES } from './server';

let h: Harness | null = null;
const dirs: string[] = [];
afterEach(async () => {
  await h?.close();
  h = null;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Pump station 7 with a group, a site target and one device of each fleet rule. */
const RULED_SITE = { id: 's-pump-7', projectId: 'p-north', name: 'Pump station 7', targetVersion: '2.0.0', groups: [{ id: 'g-east', name: 'East hall', targetVersion: '2.1.0' }] };
const RULED_DEVICES = [
  { id: '5f1a550000000001', siteId: 's-pump-7', name: 'Flow sensor 1', board: 'nrf52840dk', hwRev: 'B', targetVersion: null, location: 'Pump hall, column A2', group: 'g-east', pinnedVersion: '1.4.2+0', locked: false, lockReason: null, development: false },
  { id: '5f1a550000000002', siteId: 's-pump-7', name: 'Level sensor', board: 'nrf52840dk', hwRev: null, targetVersion: null, location: null, group: null, pinnedVersion: null, locked: true, lockReason: 'Warranty case 4411: do not touch', development: false },
  { id: '5f1a550000000003', siteId: 's-pump-7', name: 'Bench unit', board: 'nrf52840dk', hwRev: 'B', targetVersion: '2.0.0', location: 'Workshop', group: null, pinnedVersion: null, locked: false, lockReason: null, development: true },
];

describe('the catalog\'s fleet rules', () => {
  it('pulls and caches names, locations, groups, pins, locks and development flags as the API defines them', async () => {
    h = await makeHarness();
    h.cloud.sites = [RULED_SITE, ...SITES.filter((s) => s.id !== 's-pump-7')];
    h.cloud.devices = RULED_DEVICES;
    await h.connector.pullCatalog(['s-pump-7']);
    const c = readSiteCatalog(h.db, 's-pump-7');
    expect(c?.site).toEqual(RULED_SITE);
    expect(c?.devices).toEqual(RULED_DEVICES);
    // The test cloud's answers are what resources/openapi.yaml says they may be.
    const checker = openApiChecker();
    expect(h.cloud.exchanges.flatMap((ex) => checker.check(ex))).toEqual([]);
  });

  it('replaces the rules on the next pull: a lock lifted is gone from the cache', async () => {
    h = await makeHarness();
    h.cloud.sites = [RULED_SITE];
    h.cloud.devices = RULED_DEVICES;
    await h.connector.pullCatalog(['s-pump-7']);
    h.cloud.devices = RULED_DEVICES.map((d) => ({ ...d, locked: false, lockReason: null }));
    h.cloud.sites = [{ ...RULED_SITE, groups: [] }];
    await h.connector.pullCatalog(['s-pump-7']);
    const c = readSiteCatalog(h.db, 's-pump-7');
    expect(c?.devices.find((d) => d.id === '5f1a550000000002')?.locked).toBe(false);
    expect(c?.site.groups).toEqual([]);
  });

  it.each([
    ['a pin that is not an image version', { pinnedVersion: 'latest' }, 'devices.0.pinnedVersion: must be an image version like 1.4.2+0'],
    ['a lock without a reason', { locked: true, lockReason: null }, 'devices.0.lockReason: a locked device needs a lockReason'],
    ['a lock that is not true or false', { locked: 'yes' }, 'devices.0.locked'],
    ['a development flag that is not true or false', { development: 1 }, 'devices.0.development'],
  ])('refuses %s with an error naming the field, and keeps the previous cache', async (_what, bad, named) => {
    h = await makeHarness();
    h.cloud.sites = [RULED_SITE];
    h.cloud.devices = RULED_DEVICES;
    await h.connector.pullCatalog(['s-pump-7']);
    h.cloud.devices = [{ ...RULED_DEVICES[0]!, ...bad }, ...RULED_DEVICES.slice(1)];
    const err = (await h.connector.pullCatalog(['s-pump-7']).catch((e: unknown) => e)) as SyncError;
    expect(err.kind).toBe('bad-response');
    expect(err.message).toContain(named);
    expect(err.message).toContain('/v1/sites/s-pump-7/devices');
    expect(readSiteCatalog(h.db, 's-pump-7')?.devices).toEqual(RULED_DEVICES);
  });

  it('drops fields it does not know, as for every other answer of the cloud', async () => {
    h = await makeHarness();
    h.cloud.sites = [{ ...RULED_SITE, weather: 'rain' }];
    h.cloud.devices = RULED_DEVICES.map((d) => ({ ...d, colour: 'blue' }));
    await h.connector.pullCatalog(['s-pump-7']);
    const c = readSiteCatalog(h.db, 's-pump-7');
    expect(c?.devices).toEqual(RULED_DEVICES);
    expect(c?.site).toEqual(RULED_SITE);
  });

  it('reads a cloud without fleet-rule fields as "no rule" (older servers)', async () => {
    h = await makeHarness();
    await h.connector.pullCatalog(['s-pump-7']);
    const d = readSiteCatalog(h.db, 's-pump-7')?.devices[0];
    expect(d).toMatchObject({ ...DEVICES[0], locked: false, development: false, pinnedVersion: null, location: null });
  });
});

describe('the fleet-rules migration (4)', () => {
  it('keeps a version-3 cache and reads its devices with no rule', () => {
    const dir = mkdtempSync(join(tmpdir(), 'siteflash-rules-'));
    dirs.push(dir);
    const old = openDatabase({ dataDir: dir, migrations: MIGRATIONS.slice(0, 3) }).db;
    old.prepare("INSERT INTO catalog_projects (id, name, fetched_at) VALUES ('p', 'P', 1)").run();
    old.prepare("INSERT INTO catalog_sites (id, project_id, name, fetched_at) VALUES ('s', 'p', 'S', 1)").run();
    old.prepare("INSERT INTO catalog_devices (id, site_id, name, board, hw_rev, target_version, fetched_at) VALUES ('d', 's', 'Gate', 'b', 'A', '2.0.0', 1)").run();
    old.close();
    const { db, migration } = openDatabase({ dataDir: dir, migrations: MIGRATIONS.slice(0, 4) });
    expect(migration.applied).toEqual(['fleet-rules']);
    expect(readSiteCatalog(db, 's')?.devices).toEqual([
      { id: 'd', siteId: 's', name: 'Gate', board: 'b', hwRev: 'A', targetVersion: '2.0.0', location: null, group: null, pinnedVersion: null, locked: false, lockReason: null, development: false },
    ]);
    expect(readSiteCatalog(db, 's')?.site).toEqual({ id: 's', projectId: 'p', name: 'S', targetVersion: null, groups: [] });
    db.close();
  });
});

describe('the cloud-clock migration (5)', () => {
  it('keeps a version-4 sync state (last sync, last error) and has no cloud time measured yet', () => {
    const dir = mkdtempSync(join(tmpdir(), 'siteflash-clock-'));
    dirs.push(dir);
    const old = openDatabase({ dataDir: dir, migrations: MIGRATIONS.slice(0, 4) }).db;
    recordSyncSuccess(old, 1_700_000_000_000);
    recordSyncError(old, 'The cloud cannot be reached.', 1_700_000_100_000);
    old.close();
    const { db, migration } = openDatabase({ dataDir: dir });
    expect(migration.applied).toEqual(['cloud-clock']);
    expect(readSyncState(db)).toEqual({ lastSyncAt: 1_700_000_000_000, lastError: 'The cloud cannot be reached.', lastErrorAt: 1_700_000_100_000, cloudOffsetMs: null, cloudOffsetAt: null });
    recordCloudOffset(db, -420_000.4, 1_700_000_200_000);
    expect(readSyncState(db)).toMatchObject({ cloudOffsetMs: -420_000, cloudOffsetAt: 1_700_000_200_000 });
    db.close();
  });
});
