import { afterAll, describe, expect, it } from 'vitest';
import { commission } from '../../../main/commission/commission';
import { keychainNetKeys } from '../../../main/commission/net-key';
import { JobsService } from '../../../main/jobs/jobs-service';
import { SmpDriver } from '../../../main/jobs/smp-driver';
import type { Link } from '../../../main/links/link';
import { SimDevice } from '../../../main/sim/device';
import { ManualClock } from '../../../main/sim/manual-clock';
import { seededRandom } from '../../../main/sim/rng';
import { createSimLink } from '../../../main/sim/sim-link';
import { drive } from '../gateway/sim-gateway';
import { tempDb } from '../jobs/helpers';
import { simRelease } from '../jobs/sim-fleet';
import { clearKeychain, freshProjectKey, keychain, NEW_NET, netDeviceOptions, type NetFault } from './net-fleet';

const cleanups: (() => void)[] = [];
afterAll(async () => {
  cleanups.forEach((c) => c());
  await clearKeychain();
});

/** Simulated devices on serial framing (loopback links `<prefix><n>`), a jobs service over them with the keychain's network keys, and a 20 kB release. */
function fleet(prefix: string, firstId: number, faults: (NetFault | undefined)[], seed: number) {
  const clock = new ManualClock();
  const devices = faults.map((f, n) => new SimDevice(netDeviceOptions(firstId + n, clock, f)));
  const links = new Map<string, Link>(devices.map((d, n) => [`${prefix}${n}`, createSimLink(d, { framing: 'serial', clock, name: `${prefix}${n}` })]));
  const release = simRelease({ size: 20_000 });
  const { db, cleanup } = tempDb();
  cleanups.push(cleanup, () => devices.forEach((d) => d.dispose()));
  const driver = new SmpDriver({ clock, timeoutMs: 500, resetSettleMs: 50, openLink: (t) => links.get(t.link.kind === 'loopback' ? t.link.name : '') as Link });
  const service = new JobsService({ db, driver, clock, rng: seededRandom(seed), netKey: keychainNetKeys(keychain), openImage: release.open });
  const targets = devices.map((_, n) => ({ link: { kind: 'loopback' as const, name: `${prefix}${n}` } }));
  return { clock, devices, service, targets, release: { kind: 'image' as const, name: 'system 1.1.0', components: [release.component] } };
}

describe('first-time commissioning', () => {
  it('writes the network settings, then installs the system version, on the same devices; one audit row per phase', { timeout: 30_000 }, async () => {
    const key = await freshProjectKey('new-site');
    const { clock, devices, service, targets, release } = fleet('c', 110, [undefined, undefined, 'never-rejoins'], 4);
    const result = await drive(
      clock,
      commission(service, {
        targets,
        network: { projectId: 'new-site', ...NEW_NET },
        release,
        technician: 'Ada Tech',
        site: 'New Site',
        policy: { ledConfirm: false, retries: 2, rejoinTimeoutMs: 5000 },
      }),
      20,
    );
    expect(result.commissioned).toEqual(['loopback:c0', 'loopback:c1']);
    expect(result.skipped).toEqual(['loopback:c2']);
    expect(result.network.network).toEqual({ old: 1, new: 2, unknown: 0 });
    expect(result.firmware?.devices.map((d) => [d.key, d.state, d.toVersion])).toEqual([
      ['loopback:c0', 'done', '1.1.0+0'],
      ['loopback:c1', 'done', '1.1.0+0'],
    ]);
    for (const d of devices.slice(0, 2)) {
      expect(d.panId()).toBe(NEW_NET.panId);
      expect(Buffer.from(d.settings.persistedValue('net/key') ?? []).toString('hex')).toBe(key.hex);
      expect(d.flash.image(0)?.version.minor).toBe(1);
    }
    // The device that never rejoined was not flashed.
    expect(devices[2]?.flash.image(0)?.version.minor).toBe(0);
    const audit = service.history();
    const rows = (k: string) => audit.filter((a) => a.deviceKey === k).map((a) => `${a.toVersion} ${a.result}`).sort();
    expect(rows('loopback:c0')).toEqual(['1.1.0+0 done', 'pan 0xbeef ch 20 aes-ccm-128 done']);
    expect(rows('loopback:c2')).toEqual(['pan 0xbeef ch 20 aes-ccm-128 failed']);
    await service.close();
  });

  it("applies the site list's fleet rules to its firmware phase: a locked device gets the network settings but no firmware", { timeout: 30_000 }, async () => {
    await freshProjectKey('ruled-site');
    const { clock, devices, service, targets, release } = fleet('r', 120, [undefined, undefined], 5);
    const result = await drive(
      clock,
      commission(service, {
        targets,
        network: { projectId: 'ruled-site', ...NEW_NET },
        release,
        rules: { [devices[1]!.id]: { locked: 'Warranty case 4411' } },
        technician: 'Ada Tech',
        policy: { ledConfirm: false, retries: 0, rejoinTimeoutMs: 5000 },
      }),
      20,
    );
    expect(result.network.devices.map((d) => d.state)).toEqual(['done', 'done']);
    expect(result.firmware?.devices.map((d) => `${d.key} ${d.state} ${d.reasonKind ?? ''}`.trim())).toEqual(['loopback:r0 done', 'loopback:r1 failed locked']);
    expect(result.firmware?.devices[1]?.reason).toContain('Warranty case 4411');
    expect(devices[0]?.flash.image(0)?.version.minor).toBe(1);
    expect(devices[1]?.flash.image(0)?.version.minor).toBe(0);
    expect(devices[1]?.flash.image(1), 'nothing sent to the locked device').toBeUndefined();
    expect(devices[1]?.panId()).toBe(NEW_NET.panId);
    await service.close();
  });
});
