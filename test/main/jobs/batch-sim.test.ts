import { afterAll, describe, expect, it } from 'vitest';
import { JobsService } from '../../../main/jobs/jobs-service';
import { defaultOpenLink, SmpDriver } from '../../../main/jobs/smp-driver';
import type { JobSpec, JobTarget } from '../../../main/jobs/types';
import { systemClock } from '../../../main/links/clock';
import { SimDevice } from '../../../main/sim/device';
import { seededRandom } from '../../../main/sim/rng';
import { SimOnPty } from '../devices/sim-on-pty';
import { tempDb } from './helpers';
import { BOARD, FAST, simMember, simRelease, type SimMember } from './sim-fleet';

const ptys: SimOnPty[] = [];
const cleanups: (() => void)[] = [];
afterAll(async () => {
  for (const p of ptys) await p.stop();
  for (const c of cleanups) c();
});

/** What each device should end as, and the reason kind when it does not end done. */
interface Expect {
  state: 'done' | 'failed' | 'rolled-back';
  reasonKind?: string;
}

describe('a batch of twenty simulated devices, four on pseudo-terminals, with faults', () => {
  // Real clock on a shared machine: the SMP timeouts are several times the worst event-loop stall
  // seen under a second copy of the suite (a 400 ms timeout fired spuriously there and retried a
  // clean link), and the test's own limit covers a worst case of every fault costing its timeout.
  it('ends every device in the right state with the right reason', { timeout: 180_000 }, async () => {
    const release = simRelease();
    const corrupt = simRelease({ corrupt: true, version: '1.2.0+0' });
    const members = new Map<string, SimMember>();
    const expected = new Map<string, Expect>();
    const targets: JobTarget[] = [];
    const add = (m: SimMember, e: Expect) => {
      members.set(m.name, m);
      expected.set(`loopback:${m.name}`, e);
      targets.push({ link: { kind: 'loopback', name: m.name } });
    };
    for (let n = 0; n < 10; n++) add(simMember(n), { state: 'done' });
    add(simMember(10, { faults: { dropRate: 2e-5 } }), { state: 'done' });
    add(simMember(11, { faults: { dropRate: 2e-5 } }), { state: 'done' });
    add(simMember(12, { faults: { disconnectAtByte: 20_000, reconnectMs: 150 } }), { state: 'done' });
    add(simMember(13, { faults: { disconnectAtByte: 45_000, reconnectMs: 50 } }), { state: 'done' });
    add(simMember(14, { deviceFaults: { powerLossDuringSwap: true, powerOffMs: 300 } }), { state: 'done' });
    add(simMember(15, { board: 'other-board' }), { state: 'failed', reasonKind: 'wrong-board' });

    const ptyFaults = [{}, { faults: { dropRate: 2e-5 } }, {}, {}];
    const { db, cleanup } = tempDb();
    cleanups.push(cleanup);
    for (const [i, f] of ptyFaults.entries()) {
      const device = new SimDevice({
        board: i === 3 ? 'other-board' : BOARD,
        id: `5f1a54ff0000000${i}`,
        version: '1.0.0+0',
        clock: systemClock,
        timing: FAST,
        random: seededRandom(i),
        ...(i === 2 ? { faults: { powerLossDuringSwap: true, powerOffMs: 300 } } : {}),
      });
      const sim = await SimOnPty.start(device, { followPower: true, random: seededRandom(50 + i), ...f });
      ptys.push(sim);
      targets.push({ link: { kind: 'serial', path: sim.hostPath, baudRate: 1_000_000 } });
      expected.set(`serial:${sim.hostPath}`, i === 3 ? { state: 'failed', reasonKind: 'wrong-board' } : { state: 'done' });
    }

    const driver = new SmpDriver({
      timeoutMs: 2000,
      firstChunkTimeoutMs: 5000,
      resetSettleMs: 50,
      openLink: (t) => (t.link.kind === 'loopback' ? (members.get(t.link.name)?.link ?? defaultOpenLink(t)) : defaultOpenLink(t)),
    });
    const images = new Map([release, corrupt].map((r) => [r.component.path, r]));
    const service = new JobsService({ db, driver, rng: seededRandom(9), openImage: async (c) => (images.get(c.path) ?? release).open() });
    const policy: JobSpec['policy'] = { ledConfirm: false, retries: 5, afterRejoin: 'confirm', backoff: { baseMs: 50, capMs: 500 }, rejoinTimeoutMs: 15_000 };
    const spec: JobSpec = { release: { kind: 'image', name: 'app.bin', components: [release.component] }, targets, policy, technician: 'Ada Tech', site: 'Test Site' };
    expect(targets).toHaveLength(20);

    // A second job at the same time: an image MCUboot refuses at boot, on four more devices.
    const doomed = [16, 17, 18, 19].map((n) => simMember(n));
    for (const m of doomed) members.set(m.name, m);
    const rollbackSpec: JobSpec = { ...spec, release: { kind: 'image', name: 'corrupt.bin', components: [corrupt.component] }, targets: doomed.map((m) => ({ link: { kind: 'loopback', name: m.name } })) };

    const progress: number[] = [];
    service.on('job:progress', (e) => progress.push(e.job.bytes));
    const id = service.start(spec);
    const id2 = service.start(rollbackSpec);
    const [job, job2] = await Promise.all([service.whenSettled(id), service.whenSettled(id2)]);

    for (const d of job.devices) {
      const want = expected.get(d.key);
      expect({ key: d.key, state: d.state, reasonKind: d.reasonKind ?? undefined }).toEqual({ key: d.key, ...want, ...(want?.state === 'done' ? { reasonKind: undefined } : {}) });
    }
    expect(job2.devices.map((d) => `${d.state}/${d.reasonKind}`)).toEqual(Array(4).fill('rolled-back/rolled-back'));
    for (const [, m] of members) {
      if (doomed.includes(m)) continue;
      const active = m.device.flash.image(0);
      if (m.device.board === BOARD) {
        expect(Buffer.compare(active?.hash ?? new Uint8Array(), release.hash)).toBe(0);
        expect(m.device.flash.onTrial).toBe(false);
      } else {
        expect(active?.version.minor).toBe(0);
        expect(m.link.transport.stats.rxBytes).toBeLessThan(2000);
      }
    }
    // Faulty links needed retries or recoveries; clean ones none.
    const retried = new Set(service.journal.events(id).filter((e) => e.kind === 'retry').map((e) => e.deviceKey));
    expect(retried.has('loopback:dev0')).toBe(false);
    expect(job.state).toBe('finished');
    expect(service.history({ site: 'Test Site' })).toHaveLength(24);
    expect(progress.length).toBeGreaterThan(0);
    await service.close();
  });
});
