import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle, buildImage, seededBody, writeBundleFolder } from '../../../main/image';
import type { JobSnapshot } from '../../../main/jobs/types';
import { LogHub } from '../../../main/log/logger';
import { ReleasesService } from '../../../main/releases/releases-service';
import { Services } from '../../../main/services';
import { startFleet, type Fleet } from '../../../main/sim/fleet';
import { fieldVersionText } from '../../../main/sim/slot-image';
import { decodeHeader } from '../../../main/smp/packet';
import { storeSiteCatalog } from '../../../main/store/catalog-cache';
import { testSigningKeys } from '../image/signing-keys';

/** SMP image group, upload command (smp.md §5.2). */
const IMAGE_GROUP = 1;
const UPLOAD_ID = 1;

/**
 * A site whose list pins one device, locks one and keeps one for development; three simulated
 * sf-sensor-t devices on ptys running 1.4.2+0; a release holding sf-sensor-t 1.5.0+17 and 1.4.9+3.
 * Without rules every device would get 1.5.0+17.
 */
describe('fleet rules in a job started through the core services (simulated devices on ptys)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'siteflash-rules-job-'));
  const log = new LogHub(null).logger('test');
  let fleet: Fleet;
  let services: Services;
  let bundleId = '';
  /** What each simulated device received: SMP (group, id) of every request, as the device decoded it. */
  const received = new Map<string, { group: number; id: number }[]>();
  const ids = () => fleet.members.map((m) => m.device.id);
  const running = (i: number) => fieldVersionText(fleet.members[i]!.device.flash.image(0)!.version);
  const uploads = (i: number) => (received.get(fleet.members[i]!.device.id) ?? []).filter((r) => r.group === IMAGE_GROUP && r.id === UPLOAD_ID).length;

  beforeAll(async () => {
    const keys = testSigningKeys(dataDir);
    const folder = join(mkdtempSync(join(tmpdir(), 'siteflash-rules-bundle-')), 'bundle');
    const component = (version: string) => ({
      board: 'sf-sensor-t',
      hwRevisions: ['A', 'B'],
      name: `sf-sensor-t-${version.replace('+', '_')}.bin`,
      image: buildImage({ body: seededBody(`rules@${version}`, 24 * 1024), version, signingKey: keys.image, board: 'sf-sensor-t' }),
    });
    await writeBundleFolder(folder, buildBundle({ id: 'plant9-2026.12', systemVersion: '2026.12.0', created: '2026-12-01T08:00:00.000Z', components: [component('1.5.0+17'), component('1.4.9+3')], releaseKey: keys.release }));
    const releases = new ReleasesService(dataDir, log);
    bundleId = (await releases.importPath(folder)).id;
    fleet = await startFleet({ count: 3, board: 'sf-sensor-t', version: '1.4.2+0', baud: 1_000_000, dir: mkdtempSync(join(tmpdir(), 'siteflash-rules-sim-')), device: { hwRev: 'A' } });
    for (const m of fleet.members) {
      const seen: { group: number; id: number }[] = [];
      received.set(m.device.id, seen);
      const take = m.device.handlePacket.bind(m.device);
      m.device.handlePacket = (packet) => {
        const h = decodeHeader(packet);
        if (h) seen.push({ group: h.group, id: h.id });
        take(packet);
      };
    }
    services = new Services(dataDir, releases, log);
    const [pinned, locked, dev] = ids() as [string, string, string];
    storeSiteCatalog(
      services.db,
      {
        project: { id: 'p-north', name: 'North Water Board' },
        site: { id: 's-plant-9', projectId: 'p-north', name: 'Plant 9', targetVersion: '2026.12.0', groups: [] },
        devices: [
          { id: pinned, siteId: 's-plant-9', name: 'Flow sensor 1', board: 'sf-sensor-t', hwRev: 'A', targetVersion: null, location: 'Pump hall', pinnedVersion: '1.4.9+3' },
          { id: locked, siteId: 's-plant-9', name: 'Level sensor', board: 'sf-sensor-t', hwRev: 'A', targetVersion: null, location: 'Tank 2', locked: true, lockReason: 'Warranty case 4411' },
          { id: dev, siteId: 's-plant-9', name: 'Bench unit', board: 'sf-sensor-t', hwRev: 'A', targetVersion: null, location: 'Workshop', development: true },
        ],
        systemVersions: [],
      },
      Date.now(),
    );
    services.settings.update({ siteIds: ['s-plant-9'], siteName: 'Plant 9' });
  }, 60_000);

  afterAll(async () => {
    services?.close();
    await fleet?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function finished(jobId: string): Promise<JobSnapshot> {
    for (;;) {
      const s = services.jobs.get(jobId);
      if (s.state === 'finished') return s;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const policy = { ledConfirm: false, retries: 0, afterRejoin: 'confirm' as const };

  it('chosen all together: the pinned device ends on its pin, the locked one is refused with its reason and sent nothing, the development one is left alone', async () => {
    const targets = fleet.members.map((m) => ({ link: { kind: 'serial' as const, path: m.clientPath } }));
    const job = await finished((await services.startJob({ bundleId, targets, policy })).id);
    const byId = new Map(job.devices.map((d) => [d.deviceId, d]));
    const [pinned, locked, dev] = ids() as [string, string, string];

    expect(byId.get(pinned)?.state).toBe('done');
    expect(running(0)).toBe('1.4.9+3');

    expect(byId.get(locked)).toMatchObject({ state: 'failed', reasonKind: 'locked' });
    expect(byId.get(locked)?.reason).toContain('Warranty case 4411');
    expect(uploads(1)).toBe(0);
    expect(running(1)).toBe('1.4.2+0');

    expect(byId.get(dev)).toMatchObject({ state: 'cancelled', reasonKind: 'development-device' });
    expect(uploads(2)).toBe(0);
    expect(running(2)).toBe('1.4.2+0');
  }, 180_000);

  it('the development device chosen one by one is updated; the locked one stays refused even so', async () => {
    const [, , dev] = fleet.members as [unknown, { clientPath: string }, { clientPath: string }];
    const job = await finished(
      (
        await services.startJob({
          bundleId,
          targets: [
            { link: { kind: 'serial', path: fleet.members[1]!.clientPath }, oneByOne: true },
            { link: { kind: 'serial', path: dev.clientPath }, oneByOne: true },
          ],
          policy,
        })
      ).id,
    );
    expect(job.devices.map((d) => `${d.state} ${d.reasonKind ?? ''}`.trim())).toEqual(['failed locked', 'done']);
    expect(running(2)).toBe('1.5.0+17');
    expect(uploads(2)).toBeGreaterThan(0);
    expect(uploads(1)).toBe(0);
  }, 180_000);

  it('refuses a pinned device when the release has no image of its pin: "pinned to X, this release has Y", nothing sent', async () => {
    services.db.prepare("UPDATE catalog_devices SET pinned_version = '1.3.0+0' WHERE id = ?").run(ids()[0]);
    const before = uploads(0);
    const job = await finished((await services.startJob({ bundleId, targets: [{ link: { kind: 'serial', path: fleet.members[0]!.clientPath } }], policy })).id);
    expect(job.devices[0]).toMatchObject({ state: 'failed', reasonKind: 'pinned-version-missing' });
    expect(job.devices[0]?.reason).toContain('Pinned to 1.3.0+0; this release has 1.5.0+17, 1.4.9+3');
    expect(uploads(0)).toBe(before);
    expect(running(0)).toBe('1.4.9+3');
  }, 180_000);
});
