import { describe, expect, it } from 'vitest';
import { bytesSource } from '../../../main/devices/image-source';
import type { BatchStatus } from '../../../main/gateway/answers';
import { SmpError } from '../../../main/smp';
import { drive, gatewaySetup } from '../gateway/sim-gateway';

type Setup = Awaited<ReturnType<typeof gatewaySetup>>;

async function stageAndStart(g: Setup, ids: string[], batchSize: number, redundancy = 20) {
  await drive(g.clock, g.client.stage(bytesSource(g.bytes), { bufSize: g.params.bufSize }));
  return drive(g.clock, g.client.batch({ sha: g.sha, targets: ids, batchSize, redundancy, confirm: true }));
}

async function follow(g: Setup, job: number, onStatus: (s: BatchStatus) => void = () => undefined): Promise<BatchStatus> {
  for (;;) {
    await drive(g.clock, new Promise((r) => g.clock.schedule(() => r(undefined), 1000)));
    const s = await drive(g.clock, g.client.batchStatus(job));
    onStatus(s);
    if (s.state !== 'running') return s;
  }
}

describe('the simulated gateway', () => {
  it('lists heard devices update-mode first and leaves out those out of range', async () => {
    const g = await gatewaySetup({ devices: [{ board: 'sf-dev-1', count: 2, updateMode: false, rssi: -40 }, { board: 'sf-dev-1', count: 2, rssi: -90 }] });
    g.sim.endpoints.get(g.sim.devices[3]!.id)!.link.outOfRangeAt = 0;
    const heard = await drive(g.clock, g.client.scan(500));
    expect(heard.map((d) => [d.id, d.mode])).toEqual([
      [g.sim.devices[2]!.id, 'update'],
      [g.sim.devices[0]!.id, 'normal'],
      [g.sim.devices[1]!.id, 'normal'],
    ]);
    g.dispose();
  });

  it('never has more than the batch size transferring at once, and no device outside its sub-batch', async () => {
    const g = await gatewaySetup({ devices: [{ board: 'sf-dev-1', count: 7 }], maxBatchSize: 3 });
    const job = await stageAndStart(g, g.sim.devices.map((d) => d.id), 5);
    let most = 0;
    const end = await follow(g, job, (s) => (most = Math.max(most, s.targets.filter((t) => t.state === 'transferring').length)));
    expect(most).toBe(3); // the gateway's own limit wins over the asked 5
    expect(end.targets.every((t) => t.state === 'joined')).toBe(true);
    g.dispose();
  });

  it('ends a device that walks away timeout, one that loses most frames radio_loss, one that power-cycles while installing joined', async () => {
    const g = await gatewaySetup({
      devices: [
        { board: 'sf-dev-1', count: 2 },
        { board: 'sf-dev-1', count: 1, lossRate: 0.9 },
        { board: 'sf-dev-1', count: 1, device: { faults: { powerLossDuringSwap: true, powerOffMs: 3000 } } },
      ],
    });
    const [ok, walker, lossy, cycler] = g.sim.devices;
    const job = await stageAndStart(g, g.sim.devices.map((d) => d.id), 4);
    g.clock.schedule(() => (g.sim.endpoints.get(walker!.id)!.link.outOfRangeAt = g.clock.now()), 3000);
    const end = await follow(g, job);
    const by = new Map(end.targets.map((t) => [t.id, t]));
    expect(by.get(ok!.id)).toMatchObject({ state: 'joined' });
    expect(by.get(walker!.id)).toMatchObject({ state: 'failed', err: 'timeout' });
    expect(by.get(lossy!.id)).toMatchObject({ state: 'failed', err: 'radio_loss' });
    expect(by.get(cycler!.id)).toMatchObject({ state: 'joined' });
    expect(cycler!.stats.swaps).toBe(1);
    expect(walker!.flash.image(0)?.version.minor).toBe(0);
    g.dispose();
  });

  it('cancels the targets not yet installing and lets the installing ones finish', async () => {
    const g = await gatewaySetup({ devices: [{ board: 'sf-dev-1', count: 6 }] });
    const job = await stageAndStart(g, g.sim.devices.map((d) => d.id), 2);
    // Let the first sub-batch reach installing, then cancel.
    let s = await drive(g.clock, g.client.batchStatus(job));
    while (!s.targets.some((t) => t.state === 'installing' || t.state === 'rebooting' || t.state === 'joined')) {
      await drive(g.clock, new Promise((r) => g.clock.schedule(() => r(undefined), 200)));
      s = await drive(g.clock, g.client.batchStatus(job));
    }
    await drive(g.clock, g.client.batchCancel(job));
    const status = await follow(g, job);
    expect(status.state).toBe('cancelled');
    const states = status.targets.map((t) => t.state);
    expect(states.slice(0, 2)).toEqual(['joined', 'joined']);
    expect(states.slice(2)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
    for (const d of g.sim.devices.slice(2)) expect(d.flash.image(0)?.version.minor).toBe(0);
    g.dispose();
  });

  it('refuses a batch for an image that is not staged or does not fit a target board', async () => {
    const g = await gatewaySetup({ devices: [{ board: 'sf-dev-1', count: 1 }, { board: 'sf-other', count: 1 }] });
    const ids = g.sim.devices.map((d) => d.id);
    const unstaged = await drive(g.clock, g.client.batch({ sha: g.sha, targets: [ids[0]!], batchSize: 1, redundancy: 10, confirm: true }).catch((e: unknown) => e));
    expect(unstaged).toBeInstanceOf(SmpError);
    expect((unstaged as SmpError).code).toBe(3);
    const wrong = await stageAndStart(g, ids, 2).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(SmpError);
    expect((wrong as SmpError).reason).toMatch(/board sf-dev-1.*sf-other/);
    g.dispose();
  });
});
