import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_BOARDS } from '../../../main/demo/demo-catalog';
import { writeDemoBundle } from '../../../main/demo/demo-bundle';
import { testSigningKeys } from '../image/signing-keys';
import { DemoSiteRunner } from '../../../main/demo/demo-site';
import { bytesSource } from '../../../main/devices/image-source';
import { negotiateParams } from '../../../main/devices/params';
import { SmpSession } from '../../../main/devices/session';
import { GatewayClient } from '../../../main/gateway/gateway-client';
import { gatewayTarget, GatewayDriver } from '../../../main/jobs/gateway-driver';
import { JobsService } from '../../../main/jobs/jobs-service';
import type { JobRelease } from '../../../main/jobs/types';
import { releaseFromFolder } from '../../../main/releases/job-release';
import { ManualClock } from '../../../main/sim/manual-clock';
import { seededRandom } from '../../../main/sim/rng';
import { tempDb } from '../jobs/helpers';
import { drive } from './sim-gateway';

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

/** The demo release as the engine gets it (main/releases `releaseFromFolder`). */
async function demoRelease(): Promise<{ release: JobRelease; bytesOf: (sha256: string) => Uint8Array }> {
  const dir = mkdtempSync(join(tmpdir(), 'siteflash-demo-bundle-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  await writeDemoBundle(dir, testSigningKeys());
  const release = await releaseFromFolder(dir);
  const { components } = release;
  // Read up front: file reads would race the fake clock.
  const bytes = new Map(components.map((c) => [c.sha256, new Uint8Array(readFileSync(c.path))]));
  return { release, bytesOf: (sha) => bytes.get(sha)! };
}

describe('the demo site: one gateway job over every board', () => {
  it('updates all twelve devices of the three boards behind the demo gateway with their own images', { timeout: 60_000 }, async () => {
    const clock = new ManualClock();
    const demo = new DemoSiteRunner(clock);
    cleanups.push(() => demo.stop());
    const link = demo.start();
    await link.open();
    const session = new SmpSession(link, { clock });
    cleanups.push(() => session.dispose());
    const params = await drive(clock, negotiateParams(session));
    const client = new GatewayClient(session, { clock });
    const devices = demo.snapshot().devices.filter((d) => d.via === 'gateway');
    expect(new Set(devices.map((d) => d.board))).toEqual(new Set(DEMO_BOARDS.map((b) => b.board)));
    for (const d of devices) demo.enterUpdateMode(d.id);

    const { release, bytesOf } = await demoRelease();
    const { db, cleanup } = tempDb();
    cleanups.push(cleanup);
    const driver = new GatewayDriver({ client, gatewayBufSize: params.bufSize, clock });
    const service = new JobsService({ db, driver, clock, rng: seededRandom(7), openImage: async (c) => bytesSource(bytesOf(c.sha256)) });
    const id = service.start({ release, targets: devices.map((d) => gatewayTarget(d.id)), policy: { ledConfirm: false, retries: 0, afterRejoin: 'confirm' }, technician: 'Ada Tech', site: 'Demo plant' });
    const job = await drive(clock, service.whenSettled(id), 200);

    expect(job.devices.map((d) => [d.key, d.state, d.reason])).toEqual(job.devices.map((d) => [d.key, 'done', null]));
    const after = new Map(demo.snapshot().devices.map((d) => [d.id, d]));
    for (const d of devices) {
      const board = DEMO_BOARDS.find((b) => b.board === d.board)!;
      expect({ id: d.id, version: after.get(d.id)?.version }).toEqual({ id: d.id, version: board.releaseVersion });
    }
    expect(service.history({ jobId: id }).map((h) => h.result)).toEqual(devices.map(() => 'done'));
    await service.close();
  });
});
