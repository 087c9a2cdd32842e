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

/** Boards behind the gateway and the size of each one's image: all different, as on the demo site. */
const BOARDS = [
  { board: 'sf-sensor-t', bodySize: 9000 },
  { board: 'sf-valve-v', bodySize: 12_000 },
  { board: 'sf-meter-m', bodySize: 7000 },
];

function component(board: string, bytes: Uint8Array): ReleaseComponent {
  const info = inspectSlotImage(bytes)!;
  return { board, hwRevisions: ['1'], version: '1.1.0+0', path: `/sim/${board}.bin`, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), imageHash: Buffer.from(info.hash).toString('hex') };
}

describe('GatewayDriver: one job over devices of several boards behind one gateway', () => {
  it('stages one image at a time, runs its batch to the end, and updates every device with its own board\'s image', { timeout: 30_000 }, async () => {
    const g = await gatewaySetup({ devices: BOARDS.map((b) => ({ board: b.board, count: 3 })), maxBatchSize: 4, seed: 5 });
    const images = new Map(BOARDS.map((b) => [b.board, buildSimImage({ version: '1.1.0+0', board: b.board, bodySize: b.bodySize })]));
    const components = BOARDS.map((b) => component(b.board, images.get(b.board)!));
    const bySha = new Map(components.map((c) => [c.sha256, images.get(c.board!)!]));

    // Watch the gateway: which image each stage replaces, and which batches run at that moment.
    const stageStarts: { sha: string; running: number[] }[] = [];
    const handle = g.sim.field.stage.handle.bind(g.sim.field.stage);
    g.sim.field.stage.handle = (body) => {
      if (body.off === 0 && body.sha instanceof Uint8Array) {
        const running = [...g.sim.field.batches.values()].filter((b) => b.state === 'running').map((b) => b.job);
        stageStarts.push({ sha: Buffer.from(body.sha).toString('hex'), running });
      }
      return handle(body);
    };

    const { db, cleanup } = tempDb();
    cleanups.push(cleanup);
    const driver = new GatewayDriver({ client: g.client, gatewayBufSize: g.params.bufSize, clock: g.clock, batchSize: 4, redundancy: 20, gatherMs: 2000 });
    const service = new JobsService({ db, driver, clock: g.clock, rng: seededRandom(3), openImage: async (c) => bytesSource(bySha.get(c.sha256)!) });
    const spec: JobSpec = {
      release: { kind: 'bundle', name: 'demo-like', components },
      targets: g.sim.devices.map((d) => gatewayTarget(d.id)),
      policy: { ledConfirm: false, retries: 0, afterRejoin: 'confirm', rejoinTimeoutMs: 120_000 },
      technician: 'Ada Tech',
    };
    const id = service.start(spec);
    const job = await drive(g.clock, service.whenSettled(id), 100);

    expect(job.devices.map((d) => [d.key, d.state, d.reason])).toEqual(job.devices.map((d) => [d.key, 'done', null]));
    for (const d of g.sim.devices) {
      const own = inspectSlotImage(images.get(d.board)!)!;
      expect({ id: d.id, same: Buffer.compare(d.flash.image(0)!.hash, own.hash) === 0 }).toEqual({ id: d.id, same: true });
    }
    // One batch per image, each of that image's board only; no stage while a batch ran.
    const batches = [...g.sim.field.batches.values()];
    expect(batches).toHaveLength(3);
    for (const b of batches) {
      const boards = new Set(b.targets.map((t) => g.sim.devices.find((d) => d.id === t.id)!.board));
      expect(boards.size).toBe(1);
      expect(b.status()).toMatchObject({ state: 'done' });
    }
    expect(new Set(stageStarts.map((s) => s.sha))).toEqual(new Set(components.map((c) => c.sha256)));
    expect(stageStarts.filter((s) => s.running.length > 0)).toEqual([]);
    await service.close();
    g.dispose();
  });
});
