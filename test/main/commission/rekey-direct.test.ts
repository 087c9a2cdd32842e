import { afterAll, describe, expect, it } from 'vitest';
import { keychainNetKeys } from '../../../main/commission/net-key';
import { decodePanId } from '../../../main/commission/net-settings';
import { networkJobSpec } from '../../../main/commission/network-job';
import { JobsService } from '../../../main/jobs/jobs-service';
import { SmpDriver } from '../../../main/jobs/smp-driver';
import type { JobPolicy } from '../../../main/jobs/types';
import type { Link } from '../../../main/links/link';
import { SimDevice } from '../../../main/sim/device';
import { ManualClock } from '../../../main/sim/manual-clock';
import { seededRandom } from '../../../main/sim/rng';
import { createSimLink } from '../../../main/sim/sim-link';
import { drive } from '../gateway/sim-gateway';
import { tempDb } from '../jobs/helpers';
import { clearKeychain, freshProjectKey, keychain, NEW_NET, keyWrites, netDeviceOptions, OLD_NET, type NetFault } from './net-fleet';

const cleanups: (() => void)[] = [];
afterAll(async () => {
  cleanups.forEach((c) => c());
  await clearKeychain();
});

const POLICY: Partial<JobPolicy> = { ledConfirm: false, retries: 3, backoff: { baseMs: 50, capMs: 200 }, rejoinTimeoutMs: 8000 };

/** Simulated devices on in-process serial-framed links, a fake clock, and a service whose key comes from the real keychain. */
function fleet(faults: (NetFault | undefined)[], projectId: string) {
  const clock = new ManualClock();
  const devices = faults.map((f, n) => new SimDevice(netDeviceOptions(n, clock, f)));
  const links = new Map<string, Link>(devices.map((d, n) => [`net${n}`, createSimLink(d, { framing: 'serial', clock, random: seededRandom(n), name: `net${n}` })]));
  const { db, dir, cleanup } = tempDb();
  cleanups.push(cleanup, () => devices.forEach((d) => d.dispose()));
  const driver = new SmpDriver({ clock, timeoutMs: 500, resetSettleMs: 50, connectTimeoutMs: 3000, openLink: (t) => links.get(t.link.kind === 'loopback' ? t.link.name : '') as Link });
  const service = (): JobsService => new JobsService({ db, driver, clock, rng: seededRandom(5), netKey: keychainNetKeys(keychain) });
  const spec = networkJobSpec({
    targets: devices.map((_, n) => ({ link: { kind: 'loopback', name: `net${n}` } })),
    network: { projectId, ...NEW_NET },
    technician: 'Ada Tech',
    site: 'North Plant',
    policy: POLICY,
  });
  return { clock, devices, db, dir, driver, service, spec };
}

/** What a device holds in flash and runs now. */
function onDevice(d: SimDevice) {
  return { persistedPan: decodePanId(d.settings.persistedValue('net/pan_id') ?? new Uint8Array()), pan: d.panId(), key: Buffer.from(d.settings.persistedValue('net/key') ?? []).toString('hex') };
}

describe('re-keying simulated devices directly over their links', () => {
  it('moves every device to the new PAN and key, treats power loss between save and reset right, and marks the ones that do not rejoin', { timeout: 30_000 }, async () => {
    const key = await freshProjectKey('north');
    const faults: (NetFault | undefined)[] = [undefined, undefined, undefined, 'power-loss-before-reset', 'save-lost-once', 'save-always-lost', 'never-rejoins'];
    const f = fleet(faults, 'north');
    const service = f.service();
    const id = service.start(f.spec);
    const job = await drive(f.clock, service.whenSettled(id), 20);

    const byKey = new Map(job.devices.map((d) => [d.key, d]));
    const expectDone = [0, 1, 2, 3, 4];
    for (const n of expectDone) {
      const snap = byKey.get(`loopback:net${n}`);
      expect({ n, state: snap?.state, reasonKind: snap?.reasonKind, reason: snap?.reason }).toEqual({ n, state: "done", reasonKind: null, reason: null });
      expect(onDevice(f.devices[n] as SimDevice)).toEqual({ persistedPan: NEW_NET.panId, pan: NEW_NET.panId, key: key.hex });
      expect(snap).toMatchObject({ fromVersion: 'pan 0x1234 ch 11 aes-ccm-64', toVersion: 'pan 0xbeef ch 20 aes-ccm-128' });
    }
    for (const n of [5, 6]) {
      const snap = byKey.get(`loopback:net${n}`);
      expect({ n, state: snap?.state, reasonKind: snap?.reasonKind }).toEqual({ n, state: 'failed', reasonKind: 'not-rejoined' });
      expect(snap?.reason).toMatch(/^Needs attention: .*retry it/);
    }
    // The device whose saves never land came back on its old network after being written twice.
    expect(onDevice(f.devices[5] as SimDevice)).toMatchObject({ persistedPan: OLD_NET.panId, pan: OLD_NET.panId });
    const rewrites = service.journal.events(id).filter((e) => e.kind === 'network-rewrite');
    expect(rewrites.map((e) => e.deviceKey).sort()).toEqual(['loopback:net4', 'loopback:net5']);
    // The power-loss device never ran its reset and came up on the saved settings: checked, not written again.
    const net3 = f.devices[3] as SimDevice;
    expect({ boots: net3.stats.boots, keyWrites: keyWrites.get(net3.id) }).toEqual({ boots: 1, keyWrites: 1 });
    expect(keyWrites.get((f.devices[4] as SimDevice).id)).toBe(2);
    // net5 reports the old PAN after its rejoins; net6 was last heard before the change, on the old PAN.
    expect(job.network).toEqual({ old: 2, new: 5, unknown: 0 });
    expect(job.counts).toEqual({ done: 5, failed: 2 });
    // One audit row per device, with the settings (never the key) as from/to.
    const audit = service.history();
    expect(audit).toHaveLength(7);
    expect(audit.every((a) => a.imageSha256 === null && a.toVersion === 'pan 0xbeef ch 20 aes-ccm-128')).toBe(true);
    await service.close();
  });

  it('counts devices as old, new and unknown while the job runs', { timeout: 20_000 }, async () => {
    await freshProjectKey('south');
    const f = fleet([undefined, undefined], 'south');
    const service = f.service();
    const id = service.start({ ...f.spec, policy: { ...f.spec.policy, ledConfirm: true } });
    expect(service.get(id).network).toEqual({ old: 0, new: 0, unknown: 2 });
    const prompts: string[] = [];
    service.on('job:led-prompt', (p) => prompts.push(p.deviceKey));
    // Both wait at the joined-LED question: each already reported the new PAN after its rejoin.
    await drive(f.clock, (async () => {
      while (prompts.length < 2) await new Promise((r) => setImmediate(r));
    })(), 20);
    expect(service.get(id).network).toEqual({ old: 0, new: 2, unknown: 0 });
    service.answerLed(id, 'loopback:net0', true);
    service.answerLed(id, 'loopback:net1', false);
    const job = await drive(f.clock, service.whenSettled(id), 20);
    expect(job.devices.map((d) => [d.state, d.reasonKind])).toEqual([['done', null], ['failed', 'not-rejoined']]);
    expect(job.devices[1]?.ledAnswers).toMatchObject([{ pattern: 'joined', seen: false }]);
    await service.close();
  });

  it('resumes a device journaled as reset-sent by re-checking identity, without writing again', { timeout: 20_000 }, async () => {
    await freshProjectKey('east');
    const f = fleet([undefined], 'east');
    const first = f.service();
    const id = first.start(f.spec);
    // The app stops right after the reset went out (the journal already says reset-sent).
    await drive(f.clock, (async () => {
      while (first.journal.device(id, 'loopback:net0')?.installStep !== 'reset-sent') await new Promise((r) => setImmediate(r));
    })(), 1);
    await drive(f.clock, first.close(), 20);
    expect(first.journal.device(id, 'loopback:net0')?.state).toBe('installing');
    const writesBefore = (f.devices[0] as SimDevice).stats.requests;

    const second = f.service();
    expect(second.resumeUnfinished()).toEqual([id]);
    const job = await drive(f.clock, second.whenSettled(id), 20);
    expect(job.devices[0]).toMatchObject({ state: 'done', reasonKind: null });
    expect(job.network).toEqual({ old: 0, new: 1, unknown: 0 });
    // Only identity and image state were asked after the restart: no settings write, no second reset.
    expect((f.devices[0] as SimDevice).stats.boots).toBe(1);
    expect((f.devices[0] as SimDevice).stats.requests - writesBefore).toBeLessThanOrEqual(4);
    expect(second.journal.events(id).filter((e) => e.kind === 'install-step').map((e) => e.detail.step)).toEqual(['saved', 'reset-sent']);
    await second.close();
  });
});
