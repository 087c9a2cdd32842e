import { describe, expect, it } from 'vitest';
import { bytesSource } from '../../../main/devices/image-source';
import type { BatchStatus } from '../../../main/gateway/answers';
import { radioBoundMs } from '../../../main/sim/radio';
import { drive, gatewaySetup } from './sim-gateway';

async function runBatch(loss: number, redundancy: number) {
  const g = await gatewaySetup({ devices: [{ board: 'sf-dev-1', count: 30, lossRate: loss }], maxBatchSize: 10, seed: 3 });
  await drive(g.clock, g.client.stage(bytesSource(g.bytes), { bufSize: g.params.bufSize }));
  const targets = g.sim.devices.map((d) => d.id);
  const started = g.clock.now();
  const job = await drive(g.clock, g.client.batch({ sha: g.sha, targets, batchSize: 10, redundancy, confirm: true }));
  let status: BatchStatus;
  do {
    await drive(g.clock, new Promise((r) => g.clock.schedule(() => r(undefined), 2000)));
    status = await drive(g.clock, g.client.batchStatus(job));
  } while (status.state === 'running');
  const stats = g.sim.field.radioStats();
  const elapsed = g.clock.now() - started;
  const bound = radioBoundMs(g.sim.radio, g.bytes.length, 30, 10, redundancy);
  return { g, status, stats, elapsed, bound };
}

describe('a gateway batch of 30 simulated devices over a lossy radio', () => {
  const cases: [number, number][] = [
    [0, 10],
    [0, 30],
    [0.05, 10],
    [0.05, 30],
    [0.2, 10],
    [0.2, 30],
  ];
  for (const [loss, redundancy] of cases) {
    it(`ends every device joined on the new image at ${loss * 100} % loss and ${redundancy} % redundancy`, async () => {
      const { g, status, stats, elapsed, bound } = await runBatch(loss, redundancy);
      console.log(
        `loss ${loss * 100}% redundancy ${redundancy}%: repaired ${stats.repaired}, re-sent ${stats.resent}, parity ${stats.paritySent}, ` +
          `time ${(elapsed / 1000).toFixed(1)} s = ${(elapsed / bound).toFixed(2)} × radio bound`,
      );
      expect(status.state).toBe('done');
      expect(status.targets.filter((t) => t.state !== "joined")).toEqual([]);
      for (const d of g.sim.devices) {
        expect(d.flash.image(0)?.version).toMatchObject({ major: 1, minor: 1 });
        expect(d.flash.onTrial).toBe(false);
      }
      if (loss === 0) {
        expect(stats.repaired).toBe(0);
        expect(stats.resent).toBe(0);
      } else {
        expect(stats.repaired).toBeGreaterThan(0);
      }
      if (loss === 0.2 && redundancy === 10) expect(stats.resent).toBeGreaterThan(0);
      expect(elapsed).toBeGreaterThanOrEqual(bound);
      g.dispose();
    });
  }
});
