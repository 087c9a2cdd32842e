// Batch engine: 50 simulated devices on in-process serial-framed links at a set line rate, with a
// chosen parallelism. Prints the total time against the ideal (waves × one device alone, the best of
// 3 warm runs measured in this run, so the first run's module loading and JIT do not flatter the batch), peak memory against the image size, and progress events per second per job.
// Run: npx tsx test/bench/batch.bench.ts   (BENCH_DEVICES, BENCH_PARALLEL, BENCH_BAUD, BENCH_IMAGE)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JobsService } from '../../main/jobs/jobs-service';
import { SmpDriver } from '../../main/jobs/smp-driver';
import type { JobSpec } from '../../main/jobs/types';
import type { Link } from '../../main/links/link';
import { seededRandom } from '../../main/sim/rng';
import { openDatabase } from '../../main/store/database';
import { simMember, simRelease } from '../main/jobs/sim-fleet';

const DEVICES = Number(process.env.BENCH_DEVICES ?? 50);
const PARALLEL = Number(process.env.BENCH_PARALLEL ?? 10);
const BAUD = Number(process.env.BENCH_BAUD ?? 1_000_000);
const IMAGE = Number(process.env.BENCH_IMAGE ?? 128_000);

interface Run {
  seconds: number;
  progressEvents: number;
  /** Most progress events seen in any 1 s window. */
  maxPerSecond: number;
  peakArrayBuffers: number;
  peakHeap: number;
  wireBytes: number;
  states: Record<string, number>;
}

async function run(count: number, parallel: number, release: ReturnType<typeof simRelease>, firstIndex: number): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'siteflash-batch-bench-'));
  const { db } = openDatabase({ dataDir: dir });
  const members = Array.from({ length: count }, (_, i) => simMember(firstIndex + i, { baud: BAUD }));
  const links = new Map<string, Link>(members.map((m) => [m.name, m.link]));
  const driver = new SmpDriver({ timeoutMs: 2000, resetSettleMs: 20, openLink: (t) => links.get(t.link.kind === 'loopback' ? t.link.name : '') as Link });
  const service = new JobsService({ db, driver, rng: seededRandom(1), openImage: release.open, limits: { ble: 3, total: parallel } });
  const spec: JobSpec = {
    release: { kind: 'image', name: 'bench.bin', components: [release.component] },
    targets: members.map((m) => ({ link: { kind: 'loopback', name: m.name } })),
    policy: { ledConfirm: false, retries: 3, afterRejoin: 'confirm', rejoinTimeoutMs: 30_000 },
    technician: 'bench',
  };
  const base = process.memoryUsage();
  let peakArrayBuffers = 0;
  let peakHeap = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakArrayBuffers = Math.max(peakArrayBuffers, m.arrayBuffers - base.arrayBuffers);
    peakHeap = Math.max(peakHeap, m.heapUsed - base.heapUsed);
  }, 5);
  const stamps: number[] = [];
  service.on('job:progress', () => stamps.push(performance.now()));
  const t0 = performance.now();
  const id = service.start(spec);
  const job = await service.whenSettled(id);
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  await service.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
  let maxPerSecond = 0;
  for (let i = 0, j = 0; i < stamps.length; i++) {
    while ((stamps[i] as number) - (stamps[j] as number) >= 1000) j++;
    maxPerSecond = Math.max(maxPerSecond, i - j + 1);
  }
  for (const m of members) m.device.dispose();
  return {
    seconds,
    progressEvents: stamps.length,
    maxPerSecond,
    peakArrayBuffers,
    peakHeap,
    wireBytes: members.reduce((n, m) => n + m.link.transport.stats.rxBytes, 0),
    states: job.counts as Record<string, number>,
  };
}

const release = simRelease({ size: IMAGE });
const size = release.bytes.length;
const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;

// The baseline: one device alone, warm (a first run loads modules and warms the JIT), best of 3.
await run(1, 1, release, 896);
const alones = [await run(1, 1, release, 897), await run(1, 1, release, 898), await run(1, 1, release, 899)];
const alone = alones.reduce((best, r) => (r.seconds < best.seconds ? r : best));
const batch = await run(DEVICES, PARALLEL, release, 0);
const waves = Math.ceil(DEVICES / PARALLEL);
const ideal = waves * alone.seconds;
const lineLimit = (batch.wireBytes / DEVICES / (BAUD / 10)) * waves;
// Each simulated device writes the image into its own simulated flash (a second-slot buffer): that is
// the simulator's memory, not the engine's. Subtract it to see what the engine itself holds.
const simFlash = DEVICES * size;

console.log(`batch bench: ${DEVICES} simulated devices, parallelism ${PARALLEL}, ${BAUD} baud serial framing, image ${kib(size)}`);
console.log(`  one device alone        ${alone.seconds.toFixed(2)} s (baseline: best of 3 warm runs, same run: ${alones.map((r) => r.seconds.toFixed(2)).join(', ')} s)`);
console.log(`  total time              ${batch.seconds.toFixed(2)} s = ${(batch.seconds / ideal).toFixed(2)} × ideal (${waves} waves × baseline = ${ideal.toFixed(2)} s); line-rate floor ${lineLimit.toFixed(2)} s`);
console.log(`  end states              ${JSON.stringify(batch.states)}`);
console.log(`  peak ArrayBuffer growth ${kib(batch.peakArrayBuffers)} = ${(batch.peakArrayBuffers / size).toFixed(1)} × image; less the simulators' flash (${DEVICES} × image): ${((batch.peakArrayBuffers - simFlash) / size).toFixed(1)} × image`);
console.log(`  peak JS heap growth     ${kib(batch.peakHeap)} = ${(batch.peakHeap / size).toFixed(1)} × image (a copy per device would be ≥ ${DEVICES} × image more)`);
console.log(`  progress events         ${batch.progressEvents} in ${batch.seconds.toFixed(2)} s = ${(batch.progressEvents / batch.seconds).toFixed(1)}/s per job (limit 10/s); busiest 1 s window ${batch.maxPerSecond}`);
