import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../../main/core';
import { writeDemoBundle } from '../../../main/demo/demo-bundle';
import { testSigningKeys } from '../image/signing-keys';
import { DEMO_BUNDLE } from '../../../main/demo/demo-catalog';
import { seededRng } from '../sync/fakes';
import { TestCloud } from '../sync/server';
import { value } from './helpers';

const TOKEN = 'tok_prepare_visit_5d1e';
let cloud: TestCloud;
let core: Core;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'siteflash-prepare-'));
  // The cloud's bundle is signed with keys this data folder trusts (no key ships with siteflash).
  await writeDemoBundle(join(dir, 'bundle'), testSigningKeys(join(dir, 'data')));
  execFileSync('tar', ['-cf', join(dir, 'bundle.tar'), '-C', join(dir, 'bundle'), '.']);
  // The test cloud lists its bundles as system versions 2.0.0, 2.1.0, …; device d-001 of site s-pump-7 targets 2.0.0.
  cloud = new TestCloud({ token: TOKEN, rng: seededRng(5), bundles: new Map([[DEMO_BUNDLE.id, readFileSync(join(dir, 'bundle.tar'))]]) });
  await cloud.start();
  core = new Core({ dataDir: join(dir, 'data'), host: 'cli', logToFile: false, portLister: async () => [], deviceSources: {} });
});
afterAll(async () => {
  await core?.close();
  await cloud?.close();
});

describe('preparing for an offline visit (test cloud, real keychain)', () => {
  it('says what to do when no cloud server is set up', async () => {
    expect(value(await core.invoke('sync:prepare', { siteIds: ['s-pump-7'] })).error).toMatch(/No cloud server/);
  });

  it('pulls the site catalog, downloads and verifies the bundle its devices need, and keeps it for offline use', async () => {
    value(await core.invoke('secrets:set-cloud-token', { token: TOKEN }));
    value(await core.invoke('settings:set', { cloudUrl: cloud.url }));
    const first = value(await core.invoke('sync:prepare', { siteIds: ['s-pump-7'] }));
    expect(first.error).toBeUndefined();
    expect(first.sites).toEqual([
      { id: 's-pump-7', name: 'Pump station 7', project: 'North Water Board', devices: 2, bundles: [{ id: DEMO_BUNDLE.id, version: '2.0.0', state: 'downloaded' }] },
    ]);
    const stored = value(await core.invoke('releases:list', {}));
    expect(stored.map((b) => [b.id, b.verification.state])).toEqual([[DEMO_BUNDLE.id, 'verified']]);
    // Again: nothing to fetch, the bundle is here; the site is remembered for background sync.
    const again = value(await core.invoke('sync:prepare', { siteIds: ['s-pump-7'] }));
    expect(again.sites[0]?.bundles[0]?.state).toBe('stored');
    expect(value(await core.invoke('settings:get', {})).siteIds).toEqual(['s-pump-7']);
    expect(value(await core.invoke('sync:status', {}))).toMatchObject({ online: true, lastError: null });
  });
});
