/**
 * Time to update 30 simulated devices through one simulated gateway, on the radio model's clock
 * (50 kbit/s, 128-byte fragments + 16 bytes of frame overhead, 10 % duty cycle), against the
 * radio's bound for the chosen batch size and redundancy: one duty-cycled multicast of the data
 * and parity fragments per sub-batch (`radioBoundMs`, main/sim/radio.ts). The ratio says what
 * repairs, status polls, installs and the tail of the last sub-batch cost on top.
 *
 *   npx tsx test/bench/gateway.bench.ts
 *
 * Time is simulated (a fake clock), so the figures do not depend on this machine; the wall time
 * the simulation took is printed apart.
 */
import { bytesSource } from '../../main/devices/image-source';
import type { BatchStatus } from '../../main/gateway/answers';
import { radioBoundMs } from '../../main/sim/radio';
import { drive, gatewaySetup } from '../main/gateway/sim-gateway';

const DEVICES = 30;
const IMAGE_BODY = 64 * 1024;

async function run(loss: number, batchSize: number, redundancy: number) {
  const wall = performance.now();
  const g = await gatewaySetup({ devices: [{ board: 'sf-dev-1', count: DEVICES, lossRate: loss }], maxBatchSize: 50, seed: 7 }, { version: '1.1.0+0', board: 'sf-dev-1', bodySize: IMAGE_BODY });
  const stageStart = g.clock.now();
  await drive(g.clock, g.client.stage(bytesSource(g.bytes), { bufSize: g.params.bufSize }));
  const stageMs = g.clock.now() - stageStart;
  const start = g.clock.now();
  const job = await drive(g.clock, g.client.batch({ sha: g.sha, targets: g.sim.devices.map((d) => d.id), batchSize, redundancy, confirm: true }));
  let status: BatchStatus;
  do {
    await drive(g.clock, new Promise((r) => g.clock.schedule(() => r(undefined), 1000)), 100);
    status = await drive(g.clock, g.client.batchStatus(job));
  } while (status.state === 'running');
  const elapsed = g.clock.now() - start;
  const bound = radioBoundMs(g.sim.radio, g.bytes.length, DEVICES, batchSize, redundancy);
  const joined = status.targets.filter((t) => t.state === 'joined').length;
  const s = g.sim.field.radioStats();
  g.dispose();
  return { loss, batchSize, redundancy, elapsed, bound, joined, stats: s, stageMs, wallMs: performance.now() - wall, image: g.bytes.length };
}

const rows = [];
for (const [loss, batchSize, redundancy] of [
  [0, 10, 10],
  [0, 30, 10],
  [0.05, 10, 10],
  [0.05, 10, 30],
  [0.2, 10, 10],
  [0.2, 10, 30],
  [0.2, 30, 30],
] as const) {
  rows.push(await run(loss, batchSize, redundancy));
}
console.log(`gateway update of ${DEVICES} devices, image ${rows[0]?.image} bytes; time on the simulated radio clock`);
console.log('loss  batch  redund.  joined  time (s)  radio bound (s)  ratio  repaired  re-sent  (wall s)');
for (const r of rows) {
  console.log(
    `${(r.loss * 100).toFixed(0).padStart(3)} %  ${String(r.batchSize).padStart(5)}  ${String(r.redundancy).padStart(5)} %  ${String(r.joined).padStart(3)}/${DEVICES}  ` +
      `${(r.elapsed / 1000).toFixed(1).padStart(8)}  ${(r.bound / 1000).toFixed(1).padStart(15)}  ${(r.elapsed / r.bound).toFixed(2).padStart(5)}  ` +
      `${String(r.stats.repaired).padStart(8)}  ${String(r.stats.resent).padStart(7)}  (${(r.wallMs / 1000).toFixed(1)})`,
  );
}
console.log(`staging the image on the gateway over its link took ${(rows[0]!.stageMs / 1000).toFixed(2)} s (in-process link, not counted above)`);
