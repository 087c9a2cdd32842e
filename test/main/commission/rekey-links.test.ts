import { afterAll, describe, expect, it } from 'vitest';
import { keychainNetKeys } from '../../../main/commission/net-key';
import { decodePanId } from '../../../main/commission/net-settings';
import { networkJobSpec } from '../../../main/commission/network-job';
import { gatewayTarget, GatewayDriver } from '../../../main/jobs/gateway-driver';
import { JobsService } from '../../../main/jobs/jobs-service';
import { SmpDriver } from '../../../main/jobs/smp-driver';
import type { JobSnapshot } from '../../../main/jobs/types';
import { systemClock } from '../../../main/links/clock';
import { SimDevice } from '../../../main/sim/device';
import { seededRandom } from '../../../main/sim/rng';
import { SimOnPty } from '../devices/sim-on-pty';
import { drive, gatewaySetup } from '../gateway/sim-gateway';
import { tempDb } from '../jobs/helpers';
import { clearKeychain, faultySettings, freshProjectKey, keychain, keyWrites, NEW_NET, netDeviceOptions, oldSettings, type NetFault } from './net-fleet';

const ptys: SimOnPty[] = [];
const cleanups: (() => void)[] = [];
afterAll(async () => {
  for (const p of ptys) await p.stop();
  cleanups.forEach((c) => c());
  await clearKeychain();
});

function outcome(job: JobSnapshot) {
  return job.devices.map((d) => ({ key: d.key, state: d.state, reasonKind: d.reasonKind }));
}

describe('re-keying over a pseudo-terminal and through a gateway', () => {
  it('re-keys devices on serial ports (pty), one of which loses power between save and reset', { timeout: 40_000 }, async () => {
    const key = await freshProjectKey('pty-site');
    const faults: (NetFault | undefined)[] = [undefined, 'power-loss-before-reset'];
    const devices = faults.map((f, n) => new SimDevice(netDeviceOptions(40 + n, systemClock, f)));
    for (const [n, d] of devices.entries()) ptys.push(await SimOnPty.start(d, { followPower: true, random: seededRandom(60 + n) }));
    const { db, cleanup } = tempDb();
    cleanups.push(cleanup);
    const service = new JobsService({ db, driver: new SmpDriver({ timeoutMs: 600, resetSettleMs: 50 }), rng: seededRandom(2), netKey: keychainNetKeys(keychain) });
    const spec = networkJobSpec({
      targets: ptys.map((p) => ({ link: { kind: 'serial', path: p.hostPath, baudRate: 115200 } })),
      network: { projectId: 'pty-site', ...NEW_NET },
      technician: 'Ada Tech',
      policy: { ledConfirm: false, retries: 4, backoff: { baseMs: 50, capMs: 300 }, rejoinTimeoutMs: 15_000 },
    });
    const job = await service.whenSettled(service.start(spec));
    expect(outcome(job)).toEqual(ptys.map((p) => ({ key: `serial:${p.hostPath}`, state: 'done', reasonKind: null })));
    for (const d of devices) {
      expect(decodePanId(d.settings.persistedValue('net/pan_id') ?? new Uint8Array())).toBe(NEW_NET.panId);
      expect(Buffer.from(d.settings.persistedValue('net/key') ?? []).toString('hex')).toBe(key.hex);
    }
    expect({ boots: devices[1]?.stats.boots, keyWrites: keyWrites.get(devices[1]?.id ?? '') }).toEqual({ boots: 1, keyWrites: 1 });
    expect(job.network).toEqual({ old: 0, new: 2, unknown: 0 });
    await service.close();
  });

  it('re-keys devices behind a gateway over forward; power loss and a device that never rejoins end right', { timeout: 40_000 }, async () => {
    const key = await freshProjectKey('gw-site');
    const group = (count: number, fault?: NetFault) => ({ board: 'sf-dev-1', count, updateMode: false, lossRate: 0.02, device: { settings: oldSettings(), groups: (ctx: unknown) => faultySettings(fault, ctx as SimDevice) } });
    const g = await gatewaySetup({ devices: [group(4), group(1, 'power-loss-before-reset'), group(1, 'never-rejoins'), group(1, 'save-lost-once')], seed: 4 });
    cleanups.push(g.dispose);
    const { db, cleanup } = tempDb();
    cleanups.push(cleanup);
    const driver = new GatewayDriver({ client: g.client, gatewayBufSize: g.params.bufSize, clock: g.clock });
    const service = new JobsService({ db, driver, clock: g.clock, rng: seededRandom(3), netKey: keychainNetKeys(keychain) });
    const spec = networkJobSpec({
      targets: g.sim.devices.map((d) => gatewayTarget(d.id)),
      network: { projectId: 'gw-site', ...NEW_NET },
      technician: 'Ada Tech',
      site: 'Gateway Site',
      policy: { ledConfirm: false, retries: 2, backoff: { baseMs: 100, capMs: 500 }, rejoinTimeoutMs: 60_000 },
    });
    const id = service.start(spec);
    const job = await drive(g.clock, service.whenSettled(id), 100);

    const expected = g.sim.devices.map((d, n) => ({ key: `loopback:gateway/${d.id}`, state: n === 5 ? 'failed' : 'done', reasonKind: n === 5 ? 'not-rejoined' : null }));
    expect(outcome(job)).toEqual(expected);
    for (const [n, d] of g.sim.devices.entries()) {
      if (n === 5) continue;
      expect({ n, pan: d.panId(), key: Buffer.from(d.settings.persistedValue('net/key') ?? []).toString('hex') }).toEqual({ n, pan: NEW_NET.panId, key: key.hex });
    }
    const walker = g.sim.devices[4] as SimDevice;
    expect({ boots: walker.stats.boots, keyWrites: keyWrites.get(walker.id) }).toEqual({ boots: 1, keyWrites: 1 });
    expect(keyWrites.get(g.sim.devices[6]?.id ?? '')).toBe(2);
    expect(job.devices[5]?.reason).toMatch(/Needs attention/);
    expect(job.network).toEqual({ old: 1, new: 6, unknown: 0 });
    await service.close();
  });
});
