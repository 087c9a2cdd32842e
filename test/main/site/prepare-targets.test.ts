import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../../main/core';
import { writeDemoBundle } from '../../../main/demo/demo-bundle';
import { DEMO_BUNDLE } from '../../../main/demo/demo-catalog';
import { testSigningKeys } from '../image/signing-keys';
import { value } from '../core/helpers';
import { seededRng } from '../sync/fakes';
import { TestCloud } from '../sync/server';

const TOKEN = 'tok_prepare_targets_0b7e';
let cloud: TestCloud;
let core: Core;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'siteflash-prepare-targets-'));
  await writeDemoBundle(join(dir, 'bundle'), testSigningKeys(join(dir, 'data')));
  execFileSync('tar', ['-cf', join(dir, 'bundle.tar'), '-C', join(dir, 'bundle'), '.']);
  // The test cloud lists its one bundle as system version 2.0.0.
  cloud = new TestCloud({ token: TOKEN, rng: seededRng(5), bundles: new Map([[DEMO_BUNDLE.id, readFileSync(join(dir, 'bundle.tar'))]]) });
  await cloud.start();
  core = new Core({ dataDir: join(dir, 'data'), host: 'cli', logToFile: false, portLister: async () => [], deviceSources: {} });
});
afterAll(async () => {
  await core?.close();
  await cloud?.close();
});

const device = (id: string, extra: Record<string, unknown> = {}) => ({ id, siteId: 's-plant-9', name: id, board: 'sf-sensor-t', hwRev: 'A', targetVersion: null, ...extra });

describe('preparing a visit fetches the release of the target that applies to each device', () => {
  it.each([
    ['the site target, no device or group sets one', { targetVersion: '2.0.0' }, [device('d1')]],
    ['a group target', { groups: [{ id: 'g1', name: 'East', targetVersion: '2.0.0' }] }, [device('d1', { group: 'g1' })]],
  ])('%s', async (_what, site, devices) => {
    value(await core.invoke('secrets:set-cloud-token', { token: TOKEN }));
    value(await core.invoke('settings:set', { cloudUrl: cloud.url }));
    cloud.sites = [{ id: 's-plant-9', projectId: 'p-north', name: 'Plant 9', ...site }];
    cloud.devices = devices;
    const r = value(await core.invoke('sync:prepare', { siteIds: ['s-plant-9'] }));
    expect(r.error).toBeUndefined();
    expect(r.sites[0]?.bundles.map((b) => `${b.version} ${b.id}`)).toEqual([`2.0.0 ${DEMO_BUNDLE.id}`]);
  });

  it('fetches nothing for a site where every device is pinned (a pin names an image version, not a release)', async () => {
    cloud.sites = [{ id: 's-plant-9', projectId: 'p-north', name: 'Plant 9', targetVersion: '2.0.0' }];
    cloud.devices = [device('d1', { pinnedVersion: '1.5.0+17' })];
    const r = value(await core.invoke('sync:prepare', { siteIds: ['s-plant-9'] }));
    expect(r.sites[0]?.bundles).toEqual([]);
  });
});
