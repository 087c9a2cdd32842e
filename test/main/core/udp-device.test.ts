import { createSocket } from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../../main/core';
import { writeDemoBundle } from '../../../main/demo/demo-bundle';
import { systemClock } from '../../../main/links/clock';
import { SimDevice } from '../../../main/sim/device';
import { fieldVersionText } from '../../../main/sim/slot-image';
import { startUdpHost, type SimUdpHost } from '../../../main/sim/udp-host';
import { testSigningKeys } from '../image/signing-keys';
import { FAST } from '../jobs/sim-fleet';
import { settled, value } from './helpers';

// A device on the network, as Zephyr's SMP UDP transport serves it (smp.md §8): the simulator's UDP
// host on loopback. Added by address through the core, listed, heard on Collect, updated by a job.
const dataDir = mkdtempSync(join(tmpdir(), 'siteflash-udp-core-'));
const core = new Core({ dataDir, host: 'cli', logToFile: false, portLister: async () => [], deviceSources: {} });
const device = new SimDevice({ board: 'sf-sensor-t', hwRev: 'A', id: '5f1a5400000000aa', version: '1.4.2+0', clock: systemClock, timing: FAST });
let host: SimUdpHost;
/** A UDP port on loopback that takes datagrams and never answers. */
const silent = createSocket('udp4');

beforeAll(async () => {
  host = await startUdpHost(device);
  await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()));
});
/** The restart test closes the core itself. */
let closed = false;
afterAll(async () => {
  if (!closed) await core.close();
  await host.stop();
  silent.close();
  device.dispose();
});

describe('a device on the network added by address (SMP over UDP), through the core', () => {
  it('refuses a bad address and a silent one with what to check, and nothing is listed for them', { timeout: 20_000 }, async () => {
    for (const bad of ['', 'udp:', '10.0.0.7', 'udp:10.0.0.7:70000', 'not a host:1337', '1.2.3:1337']) {
      const r = await core.invoke('devices:add-address', { address: bad });
      expect(r.ok ? 'accepted' : r.error.kind, bad).toBe('bad-address');
    }
    const quiet = await core.invoke('devices:add-address', { address: `127.0.0.1:${silent.address().port}` });
    expect(quiet.ok ? null : quiet.error).toMatchObject({ kind: 'device-silent', message: expect.stringContaining(`Nothing answered SMP at udp:127.0.0.1:${silent.address().port}`) });
    expect(value(await core.invoke('devices:scan', { query: false })).devices).toEqual([]);
  });

  it('adds the simulated device after it answered, lists it with its address, and Collect hears it as connected directly', { timeout: 30_000 }, async () => {
    const added = value(await core.invoke('devices:add-address', { address: host.address }));
    expect(added).toMatchObject({ link: 'udp', address: `udp:127.0.0.1:${host.port}`, target: { kind: 'udp', host: '127.0.0.1', port: host.port }, report: { source: 'field', identity: { id: device.id, board: 'sf-sensor-t' } } });
    const listed = value(await core.invoke('devices:scan', { query: true })).devices;
    expect(listed.map((d) => [d.link, d.address, d.report?.identity?.version])).toEqual([['udp', `udp:127.0.0.1:${host.port}`, '1.4.2+0']]);

    device.enterUpdateMode();
    value(await core.invoke('collect:start', {}));
    await expect
      .poll(async () => value(await core.invoke('collect:start', {})).devices.find((d) => d.id === device.id), { timeout: 20_000 })
      .toMatchObject({ via: 'direct', mode: 'update', target: { kind: 'udp', host: '127.0.0.1', port: host.port } });
    value(await core.invoke('collect:stop', {}));
  });

  it('a job updates it like a serial device: the device runs the new version and the audit row names its address', { timeout: 120_000 }, async () => {
    value(await core.invoke('settings:set', { siteName: 'LAN site', technician: 'Ada Net' }));
    const dir = mkdtempSync(join(tmpdir(), 'siteflash-udp-bundle-'));
    await writeDemoBundle(dir, testSigningKeys(dataDir));
    const bundle = value(await core.invoke('releases:import-path', { path: dir }));
    const started = value(await core.invoke('job:start', { bundleId: bundle.id, targets: [{ link: { kind: 'udp', host: '127.0.0.1', port: host.port } }], policy: { ledConfirm: false, retries: 1, afterRejoin: 'confirm' } }));
    const job = await settled(core, started.id);
    expect(job.devices.map((d) => [d.key, d.state, d.reason])).toEqual([[`udp:127.0.0.1:${host.port}`, 'done', null]]);
    // What the device runs, not what the job says.
    expect(fieldVersionText(device.flash.image(0)!.version)).toBe('1.5.0+17');
    expect(device.flash.onTrial).toBe(false);
    const rows = value(await core.invoke('history:query', { jobId: started.id }));
    expect(rows).toMatchObject([{ result: 'done', link: `udp:127.0.0.1:${host.port}`, deviceId: device.id, fromVersion: '1.4.2+0', toVersion: '1.5.0+17' }]);
    // The device details read its slots over the same link.
    const slots = value(await core.invoke('device:image-state', { target: { kind: 'udp', host: '127.0.0.1', port: host.port } })).slots;
    expect(slots.find((s) => s.active)).toMatchObject({ version: '1.5.0+17', confirmed: true });
  });

  it('keeps the address and a port added by path across a restart, and forgets them when told', { timeout: 30_000 }, async () => {
    const port = value(await core.invoke('ports:add-by-path', { path: '/dev/null' }));
    expect(port).toMatchObject({ path: '/dev/null', source: 'by-path' });
    await core.close();
    closed = true;
    // The same data folder, a new start: nothing added again by hand.
    const again = new Core({ dataDir, host: 'cli', logToFile: false, portLister: async () => [], deviceSources: {} });
    try {
      expect(value(await again.invoke('ports:list', {})).map((p) => [p.path, p.source])).toEqual([['/dev/null', 'by-path']]);
      const listed = value(await again.invoke('devices:scan', { query: true })).devices.filter((d) => d.link === 'udp');
      expect(listed.map((d) => [d.address, d.report?.identity?.id])).toEqual([[`udp:127.0.0.1:${host.port}`, device.id]]);
      value(await again.invoke('devices:remove-address', { address: `udp:127.0.0.1:${host.port}` }));
      value(await again.invoke('ports:remove-by-path', { path: '/dev/null' }));
    } finally {
      await again.close();
    }
    const third = new Core({ dataDir, host: 'cli', logToFile: false, portLister: async () => [], deviceSources: {} });
    try {
      expect(value(await third.invoke('ports:list', {}))).toEqual([]);
      expect(value(await third.invoke('devices:scan', { query: false })).devices).toEqual([]);
    } finally {
      await third.close();
    }
  });
});
