import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesSource } from '../../../main/devices/image-source';
import { gatewayTarget, GatewayDriver } from '../../../main/jobs/gateway-driver';
import { JobsService } from '../../../main/jobs/jobs-service';
import type { JobSpec, ReleaseComponent } from '../../../main/jobs/types';
import { buildSimImage } from '../../../main/sim/image-builder';
import { seededRandom } from '../../../main/sim/rng';
import { inspectSlotImage } from '../../../main/sim/slot-image';
import { tempDb } from '../jobs/helpers';
import { drive, gatewaySetup } from './sim-gateway';

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

describe('GatewayDriver: a gateway batch is a job of the batch engine', () => {
  it('ends each device behind the gateway in the right engine state with a readable reason', { timeout: 30_000 }, async () => {
    const g = await gatewaySetup({
      devices: [
        { board: 'sf-dev-1', count: 8, lossRate: 0.05 },
        { board: 'sf-other', count: 1 },
        { board: 'sf-dev-1', count: 1, device: { faults: { powerLossDuringSwap: true, powerOffMs: 2000 } } },
      ],
      maxBatchSize: 4,
      seed: 11,
    });
    const walker = g.sim.devices[2]!;
    const bytes = buildSimImage({ version: '1.1.0+0', board: 'sf-dev-1', bodySize: 8192 });
    const info = inspectSlotImage(bytes)!;
    const component: ReleaseComponent = {
      board: 'sf-dev-1',
      version: '1.1.0+0',
      path: '/sim/gw.bin',
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      imageHash: Buffer.from(info.hash).toString('hex'),
    };
    const { db, cleanup } = tempDb();
    cleanups.push(cleanup);
    const driver = new GatewayDriver({ client: g.client, gatewayBufSize: g.params.bufSize, clock: g.clock, batchSize: 4, redundancy: 20, gatherMs: 2000 });
    const service = new JobsService({ db, driver, clock: g.clock, rng: seededRandom(3), openImage: async () => bytesSource(bytes) });
    const spec: JobSpec = {
      release: { kind: 'image', name: 'gw.bin', components: [component] },
      targets: g.sim.devices.map((d) => gatewayTarget(d.id)),
      policy: { ledConfirm: false, retries: 1, afterRejoin: 'confirm', backoff: { baseMs: 100, capMs: 500 }, rejoinTimeoutMs: 120_000 },
      technician: 'Ada Tech',
    };
    const id = service.start(spec);
    // The walker leaves the radio's range during the first multicast.
    g.clock.schedule(() => (g.sim.endpoints.get(walker.id)!.link.outOfRangeAt = g.clock.now()), 8000);
    const job = await drive(g.clock, service.whenSettled(id), 100);

    const byId = new Map(job.devices.map((d) => [d.key.replace('loopback:gateway/', ''), d]));
    for (const d of g.sim.devices) {
      const snap = byId.get(d.id)!;
      if (d === walker) {
        expect({ state: snap.state, reasonKind: snap.reasonKind }).toEqual({ state: 'failed', reasonKind: 'timeout' });
        expect(snap.reason).toMatch(/out of range or without power/);
      }
      else if (d.board === 'sf-other') expect({ state: snap.state, reasonKind: snap.reasonKind }).toEqual({ state: 'failed', reasonKind: 'wrong-board' });
      else {
        expect({ id: d.id, state: snap.state }).toEqual({ id: d.id, state: 'done' });
        expect(Buffer.compare(d.flash.image(0)!.hash, info.hash)).toBe(0);
        expect(d.flash.onTrial).toBe(false);
      }
    }
    // The gateway ran batches of at most 4 and the engine confirmed every joined device itself.
    expect(g.sim.field.batches.size).toBeGreaterThanOrEqual(1);
    for (const b of g.sim.field.batches.values()) expect(b.status()).toMatchObject({ state: 'done' });
    await service.close();
    g.dispose();
  });
});
