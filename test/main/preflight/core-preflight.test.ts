import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Core } from '../../../main/core';
import { loadNoble } from '../../../main/links/ble-noble';
import { storeSiteCatalog } from '../../../main/store/catalog-cache';
import { value } from '../core/helpers';

const IDS = ['bluetooth', 'serial', 'hid', 'keychain', 'disk', 'clock', 'release'];

describe('preflight through the core facade', () => {
  const cores: Core[] = [];
  const core = (deviceSources?: object) => {
    const c = new Core({ dataDir: mkdtempSync(join(tmpdir(), 'siteflash-preflight-')), host: 'cli', portLister: async () => [], logToFile: false, ...(deviceSources ? { deviceSources } : {}) });
    cores.push(c);
    return c;
  };
  afterAll(async () => {
    for (const c of cores) await c.close();
    // The real noble holds the adapter socket open otherwise.
    (await loadNoble().catch(() => null))?.stop?.();
  });

  it('runs the real checks on this computer: seven lines, each with a status, and a fix on every line that is not ok', { timeout: 30_000 }, async () => {
    const report = value(await core().invoke('preflight:run', {}));
    expect(report.checks.map((c) => c.id)).toEqual(IDS);
    for (const c of report.checks) {
      expect(['ok', 'warn', 'fail', 'unknown']).toContain(c.status);
      expect(c.title.length).toBeGreaterThan(0);
      expect(c.detail.length).toBeGreaterThan(0);
      if (c.status !== 'ok') expect(c.fix?.length).toBeGreaterThan(0);
    }
    expect(typeof report.at).toBe('number');
  });

  it('a prepared site whose release is not here and does not fit on the disk: release and disk fail, with figures', async () => {
    const c = core({});
    storeSiteCatalog(
      c.services.db,
      {
        project: { id: 'p', name: 'Plant' },
        site: { id: 'north', projectId: 'p', name: 'North hall' },
        devices: [{ id: '0011223344556677', siteId: 'north', name: 'Pump 1', board: 'sf-meter-m', hwRev: '3', targetVersion: '2026.1' }],
        systemVersions: [{ projectId: 'p', version: '2026.1', bundle: { id: 'plant-2026.1', size: 2 ** 52, sha256: 'a'.repeat(64) } }],
      },
      Date.now(),
    );
    value(await c.invoke('settings:set', { siteIds: ['north'] }));
    const report = value(await c.invoke('preflight:run', {}));
    const by = Object.fromEntries(report.checks.map((x) => [x.id, x]));
    expect(by.release).toMatchObject({ status: 'fail', detail: expect.stringContaining('1 need a release that is not on this laptop: sf-meter-m hw 3 (1: Pump 1)') });
    expect(by.disk).toMatchObject({ status: 'fail', detail: expect.stringContaining('1 release bundle still to download (') });
    expect(by.bluetooth?.status).toBe('warn');
    expect(report.worst).toBe('fail');
  });

  it('before a batch: only the checks that matter for it, and the release against the devices heard', { timeout: 60_000 }, async () => {
    const c = core({});
    const bundle = value(await c.invoke('releases:import-demo', {}));
    const site = value(await c.invoke('demo:start', {}));
    value(await c.invoke('collect:start', {}));
    const gatewayIds = site.devices.filter((d) => d.via === 'gateway').map((d) => d.id);
    await expect.poll(async () => value(await c.invoke('collect:start', {})).devices.filter((d) => d.via === 'gateway').length, { timeout: 20_000 }).toBeGreaterThan(1);
    const heard = value(await c.invoke('collect:start', {})).devices.filter((d) => d.via === 'gateway');
    const targets = heard.slice(0, 2).map((d) => ({ link: { kind: 'gateway' as const, deviceId: d.id } }));
    const report = value(await c.invoke('preflight:run', { bundleId: bundle.id, targets }));
    expect(report.checks.map((x) => x.id)).toEqual(['keychain', 'disk', 'clock', 'release']);
    expect(report.checks.find((x) => x.id === 'release')).toMatchObject({ status: 'ok', detail: expect.stringContaining('Every chosen device (2)') });

    const unheard = gatewayIds.find((id) => !heard.some((d) => d.id === id)) ?? 'ffffffffffffffff';
    const withBle = value(await c.invoke('preflight:run', { bundleId: bundle.id, targets: [...targets, { link: { kind: 'gateway', deviceId: unheard } }, { link: { kind: 'ble', address: 'aa:bb:cc:dd:ee:ff' } }] }));
    expect(withBle.checks.map((x) => x.id)).toEqual(['bluetooth', 'keychain', 'disk', 'clock', 'release']);
    // A batch with BLE devices and no Bluetooth fails; the unheard devices' boards are unknown.
    expect(withBle.checks[0]?.status).toBe('fail');
    expect(withBle.checks.at(-1)?.status).toBe('unknown');

    // A re-keying batch sends no release: no release line.
    expect(value(await c.invoke('preflight:run', { targets })).checks.map((x) => x.id)).toEqual(['keychain', 'disk', 'clock']);

    const gone = value(await c.invoke('preflight:run', { bundleId: 'no-such-release', targets }));
    expect(gone.checks.at(-1)).toMatchObject({ status: 'fail', detail: 'The release no-such-release is not stored on this laptop.' });
  });

  it('refuses a malformed request', async () => {
    const r = await core({}).invoke('preflight:run', { targets: [{ link: { kind: 'serial' } }] });
    expect(r.ok).toBe(false);
  });
});
