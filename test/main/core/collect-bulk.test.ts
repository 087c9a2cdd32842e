import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Core } from '../../../main/core';
import { value } from './helpers';

const dataDir = mkdtempSync(join(tmpdir(), 'siteflash-collect-bulk-'));
const core = new Core({ dataDir, host: 'cli', portLister: async () => [], deviceSources: {} });
afterAll(() => core.close());

describe('bulk choices and the bulk LED confirmation on Collect, through the core facade (demo site)', () => {
  it('ticks all update-mode devices in one request, records the bulk LED answers with the core clock, and a fresh look keeps them', { timeout: 60_000 }, async () => {
    const site = value(await core.invoke('demo:start', {}));
    const viaGateway = site.devices.filter((d) => d.via === 'gateway');
    const inUpdate = viaGateway.slice(0, 3);
    for (const d of inUpdate) value(await core.invoke('demo:update-mode', { deviceId: d.id }));
    const before = Date.now();
    value(await core.invoke('collect:start', {}));
    await expect.poll(async () => value(await core.invoke('collect:start', {})).devices.filter((d) => d.mode === 'update').length, { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
    const heard = value(await core.invoke('collect:start', {}));
    const updateIds = heard.devices.filter((d) => d.mode === 'update').map((d) => d.id);
    const normalIds = heard.devices.filter((d) => d.mode === 'normal').map((d) => d.id);
    expect(normalIds.length).toBeGreaterThan(0);

    // The window: each update-mode device says since when (core clock) and for how long.
    expect(heard.updateWindowMs).toBe(600_000);
    for (const id of updateIds) {
      expect(heard.updateSince?.[id]).toBeGreaterThanOrEqual(before - 5_000);
      expect(heard.updateSince?.[id]).toBeLessThanOrEqual(heard.now!);
    }
    for (const id of normalIds) expect(heard.updateSince?.[id]).toBeUndefined();

    // One request ticks every update-mode device; those in normal mode are refused silently by the core.
    let changes = 0;
    const off = core.on('collect:changed', () => (changes += 1));
    const chosen = value(await core.invoke('collect:choose-many', { deviceIds: [...updateIds, ...normalIds], on: true }));
    expect(chosen.chosen).toEqual(updateIds);
    expect(changes).toBe(1);

    // "Every device I can see blinks twice", except one.
    const [exception, ...rest] = updateIds;
    const t0 = Date.now();
    const confirmed = value(await core.invoke('collect:confirm-leds', { exceptions: [exception!] }));
    off();
    expect(changes).toBe(2);
    expect(confirmed.chosen).toEqual(rest);
    expect(confirmed.answers?.[exception!]).toMatchObject({ seen: false });
    for (const id of rest) expect(confirmed.answers?.[id]).toMatchObject({ seen: true });
    for (const id of updateIds) expect(confirmed.answers?.[id]?.at).toBeGreaterThanOrEqual(t0);

    // A reload asks the core again: the same choices and answers come back.
    const again = value(await core.invoke('collect:start', {}));
    expect(again.chosen).toEqual(rest);
    expect(again.answers).toEqual(confirmed.answers);

    // Clear: one request unticks them all.
    expect(value(await core.invoke('collect:choose-many', { deviceIds: rest, on: false })).chosen).toEqual([]);
    value(await core.invoke('collect:stop', {}));
  });

  it('refuses a bulk request with an id that is not a device id, with a clear error', async () => {
    const r = await core.invoke('collect:choose-many', { deviceIds: ['not-an-id'], on: true });
    expect(r).toMatchObject({ ok: false, error: { kind: 'bad-request' } });
    expect(r.ok ? '' : r.error.message).toMatch(/EUI-64/);
  });
});
