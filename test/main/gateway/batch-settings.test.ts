import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesSource } from '../../../main/devices/image-source';
import { estimateRadioTime } from '../../../main/gateway/radio-time';
import { gatewayTarget, GatewayDriver } from '../../../main/jobs/gateway-driver';
import { JobsService } from '../../../main/jobs/jobs-service';
import type { ReleaseComponent } from '../../../main/jobs/types';
import { DEFAULT_RADIO } from '../../../main/sim/radio';
import { seededRandom } from '../../../main/sim/rng';
import { inspectSlotImage } from '../../../main/sim/slot-image';
import { tempDb } from '../jobs/helpers';
import { drive, gatewaySetup } from './sim-gateway';

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

describe('gateway batch size and redundancy chosen for a job', () => {
  it('reach the gateway: 5 devices at batch size 2 and 50 % redundancy go out as 3 multicasts of K data + ⌈K/2⌉ parity fragments', { timeout: 60_000 }, async () => {
    const g = await gatewaySetup({ devices: [{ board: 'sf-dev-1', count: 5, lossRate: 0 }], maxBatchSize: 10, seed: 5 });
    cleanups.push(g.dispose);
    const info = inspectSlotImage(g.bytes)!;
    const component: ReleaseComponent = {
      board: 'sf-dev-1', version: '1.1.0+0', path: '/sim/gw.bin', size: g.bytes.length,
      sha256: createHash('sha256').update(g.bytes).digest('hex'), imageHash: Buffer.from(info.hash).toString('hex'),
    };
    const { db, cleanup } = tempDb();
    cleanups.push(cleanup);
    const driver = new GatewayDriver({ client: g.client, gatewayBufSize: g.params.bufSize, clock: g.clock, batchSize: 10, redundancy: 20, gatherMs: 2000 });
    driver.configureBatches({ batchSize: 2, redundancy: 50 });
    const service = new JobsService({ db, driver, clock: g.clock, rng: seededRandom(3), openImage: async () => bytesSource(g.bytes) });
    const id = service.start({
      release: { kind: 'image', name: 'gw.bin', components: [component] },
      targets: g.sim.devices.map((d) => gatewayTarget(d.id)),
      policy: { ledConfirm: false, retries: 0, afterRejoin: 'confirm', rejoinTimeoutMs: 120_000 },
      technician: 'Ada Tech',
    });
    const job = await drive(g.clock, service.whenSettled(id), 100);
    expect(job.devices.map((d) => d.state)).toEqual(['done', 'done', 'done', 'done', 'done']);
    const k = Math.ceil(g.bytes.length / DEFAULT_RADIO.fragmentSize);
    const sent = [...g.sim.field.batches.values()].reduce((s, b) => ({ data: s.data + b.stats.dataSent, parity: s.parity + b.stats.paritySent, radioMs: s.radioMs + b.stats.radioMs }), { data: 0, parity: 0, radioMs: 0 });
    expect(sent.data).toBe(3 * k);
    expect(sent.parity).toBe(3 * Math.ceil(k / 2));
    // The core's estimate is the least radio time this needs: the simulated radio spent at least that.
    const estimate = estimateRadioTime(DEFAULT_RADIO, [{ board: 'sf-dev-1', imageBytes: g.bytes.length, devices: 5 }], 2, 50);
    expect(estimate.batches).toBe(3);
    expect(sent.radioMs).toBeGreaterThanOrEqual(estimate.radioMs * 0.999);
    await service.close();
  });
});

describe('the radio time estimate', () => {
  it('counts batches per board and fragments from first principles: 57 devices of one 200 kB image in batches of 20 at 20 %', () => {
    const e = estimateRadioTime(DEFAULT_RADIO, [{ board: 'a', imageBytes: 200_000, devices: 57 }], 20, 20);
    // 1563 data + 313 parity fragments, each (128 + 16)·8 / 50 000 s = 23.04 ms on air, then 10 % duty: 230.4 ms a frame.
    expect(e).toMatchObject({ devices: 57, batches: 3, batchSize: 20, redundancy: 20 });
    expect(e.radioMs).toBe(Math.round(3 * (1563 + 313) * 230.4));
    const two = estimateRadioTime(DEFAULT_RADIO, [{ board: 'a', imageBytes: 200_000, devices: 19 }, { board: 'b', imageBytes: 1280, devices: 3 }], 20, 0);
    // Boards never share a batch: 1 + 1 batches, 1563 + 10 frames.
    expect(two.batches).toBe(2);
    expect(two.radioMs).toBe(Math.round((1563 + 10) * 230.4));
  });
});
