import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobTargetRequest } from '../../../preload/api';
import { Core } from '../../../main/core';
import { settled, value } from './helpers';

const core = new Core({ dataDir: mkdtempSync(join(tmpdir(), 'siteflash-visit-')), host: 'cli', logToFile: false, portLister: async () => [], deviceSources: {} });
afterAll(() => core.close());

describe('a site visit on the demo site, through the core facade', () => {
  it('updates devices behind the demo gateway and a direct one; an injected failure fails once and its retry succeeds', { timeout: 120_000 }, async () => {
    value(await core.invoke('settings:set', { siteName: 'Demo plant', technician: 'Ada Tech' }));
    const bundle = value(await core.invoke('releases:import-demo', {}));
    const site = value(await core.invoke('demo:start', {}));
    expect(value(await core.invoke('gateway:status', {}))).toMatchObject({ connected: true, via: 'demo', id: site.gatewayId });

    const viaGateway = site.devices.filter((d) => d.via === 'gateway').slice(0, 3);
    const direct = site.devices.find((d) => d.via === 'direct')!;
    for (const d of [...viaGateway, direct]) value(await core.invoke('demo:update-mode', { deviceId: d.id }));

    // Collecting hears them in update mode, through the gateway's scan and directly.
    value(await core.invoke('collect:start', {}));
    await expect.poll(async () => value(await core.invoke('collect:start', {})).devices.filter((d) => d.mode === 'update').length, { timeout: 20_000 }).toBe(4);
    value(await core.invoke('collect:stop', {}));

    const failing = viaGateway[1]!;
    value(await core.invoke('demo:inject-failure', { deviceId: failing.id }));
    const targets: { link: JobTargetRequest }[] = [...viaGateway.map((d) => ({ link: { kind: 'gateway' as const, deviceId: d.id } })), { link: { kind: 'demo', deviceId: direct.id } }];
    const started = value(await core.invoke('job:start', { bundleId: bundle.id, targets, policy: { ledConfirm: false, retries: 0, afterRejoin: 'confirm' } }));
    let job = await settled(core, started.id);
    // A device never reached has no reported id yet; its key ends with the id the job expected.
    const byId = new Map(job.devices.map((d) => [d.deviceId ?? d.key.split('/').pop()!, d]));
    expect(byId.get(failing.id)?.state).toBe('failed');
    for (const d of [...viaGateway.filter((x) => x !== failing), direct]) expect({ id: d.id, state: byId.get(d.id)?.state, reason: byId.get(d.id)?.reason }).toEqual({ id: d.id, state: 'done', reason: null });

    value(await core.invoke('job:retry-failed', { jobId: started.id }));
    job = await settled(core, started.id);
    expect(job.devices.map((d) => [d.key, d.state, d.reason])).toEqual(job.devices.map((d) => [d.key, 'done', null]));

    const after = value(await core.invoke('demo:status', {}));
    for (const d of [...viaGateway, direct]) expect(after.devices.find((x) => x.id === d.id)?.version).toMatch(/^(1\.5\.0|2\.1\.0|1\.0\.0)/);

    const history = value(await core.invoke('history:query', { site: 'Demo plant' }));
    expect(history.filter((h) => h.result === 'done')).toHaveLength(4);
    expect(history.filter((h) => h.result === 'failed')).toHaveLength(1);
    const csv = value(await core.invoke('history:export-csv', { site: 'Demo plant' }));
    expect(csv.rows).toBe(5);
    expect(csv.csv.split(/\r?\n/).filter(Boolean)).toHaveLength(6);
    expect(value(await core.invoke('sync:status', {})).waiting).toBeGreaterThanOrEqual(5);
  });
});
