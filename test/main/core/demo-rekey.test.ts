import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Core } from '../../../main/core';
import { settled, value } from './helpers';

const dataDir = mkdtempSync(join(tmpdir(), 'siteflash-rekey-'));
const core = new Core({ dataDir, host: 'cli', portLister: async () => [], deviceSources: {} });
afterAll(() => core.close());

/** Every file under `dir`, as text (binary files too: the key must not appear in any encoding we write). */
function allText(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name)).toString('latin1'))
    .join('\n');
}

describe('commissioning on the demo site, through the core facade (real keychain)', () => {
  it('writes the project network settings, then the release, and the key appears in no file it wrote', { timeout: 120_000 }, async () => {
    const keyHex = '00112233445566778899aabbccddeeff';
    value(await core.invoke('secrets:set-net-key', { projectId: 'plant-7', keyHex }));
    expect(value(await core.invoke('secrets:status', {}))).toMatchObject({ keychain: 'available', netKeys: ['plant-7'] });
    const bundle = value(await core.invoke('releases:import-demo', {}));
    const site = value(await core.invoke('demo:start', {}));
    const devices = [...site.devices.filter((d) => d.via === 'gateway').slice(0, 2), site.devices.find((d) => d.via === 'direct')!];
    const targets = devices.map((d) => ({ link: d.via === 'gateway' ? { kind: 'gateway' as const, deviceId: d.id } : { kind: 'demo' as const, deviceId: d.id } }));
    const network = { projectId: 'plant-7', panId: 0xbeef, channel: 20, security: 'aes-ccm-128' as const };

    const first = value(await core.invoke('job:start', { kind: 'commission', bundleId: bundle.id, network, targets, policy: { ledConfirm: false, retries: 1, afterRejoin: 'confirm' } }));
    const net = await settled(core, first.id);
    expect(net.network).toEqual({ old: 0, new: 3, unknown: 0 });
    expect(net.devices.map((d) => d.state)).toEqual(['done', 'done', 'done']);
    // The firmware phase follows on the same devices.
    await expect.poll(async () => value(await core.invoke('job:list', {})).length, { timeout: 20_000 }).toBe(2);
    const fw = await settled(core, value(await core.invoke('job:list', {})).find((j) => j.id !== first.id)!.id);
    expect(fw.devices.map((d) => d.state)).toEqual(['done', 'done', 'done']);

    const csv = value(await core.invoke('history:export-csv', {}));
    expect(csv.rows).toBe(6);
    const written = allText(dataDir) + csv.csv + JSON.stringify(value(await core.invoke('history:query', {})));
    for (const form of [keyHex, keyHex.toUpperCase(), Buffer.from(keyHex, 'hex').toString('base64'), Buffer.from(keyHex, 'hex').toString('latin1')]) {
      expect(written.includes(form), `the key (as ${form.length} chars) was found`).toBe(false);
    }
  });

  it('refuses to re-key a project whose network key is not stored', async () => {
    const r = await core.invoke('job:start', { kind: 'network', network: { projectId: 'nokey', panId: 1, channel: 11, security: 'none' }, targets: [{ link: { kind: 'demo', deviceId: '5f1a0d0000000001' } }], policy: { ledConfirm: false, retries: 0, afterRejoin: 'confirm' } });
    expect(r).toMatchObject({ ok: false, error: { kind: 'net-key-missing' } });
  });
});
