import { createHash, generateKeyPairSync } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesSource } from '../../../main/devices/image-source';
import { buildImage } from '../../../main/image/build';
import { JobsService } from '../../../main/jobs/jobs-service';
import { SmpDriver } from '../../../main/jobs/smp-driver';
import type { JobSpec, ReleaseComponent } from '../../../main/jobs/types';
import { systemClock } from '../../../main/links/clock';
import { SimDevice } from '../../../main/sim/device';
import { inspectSlotImage } from '../../../main/sim/slot-image';
import { decodeHeader } from '../../../main/smp';
import { SimOnPty } from '../devices/sim-on-pty';
import { tempDb } from './helpers';
import { FAST } from './sim-fleet';

const ptys: SimOnPty[] = [];
const cleanups: (() => void)[] = [];
afterAll(async () => {
  for (const p of ptys) await p.stop();
  for (const c of cleanups) c();
});

const { privateKey } = generateKeyPairSync('ed25519');

/** A signed image for sf-dev-1 with the given hash TLV, and the release component describing it. */
function release(hashAlg: 'sha256' | 'sha512', version: string) {
  const bytes = buildImage({ body: new Uint8Array(20_000).fill(7), version, signingKey: privateKey, board: 'sf-dev-1', hashAlg });
  const info = inspectSlotImage(bytes)!;
  const component: ReleaseComponent = {
    board: 'sf-dev-1',
    version,
    path: `/sim/${hashAlg}.bin`,
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    imageHash: Buffer.from(info.hash).toString('hex'),
  };
  return { bytes, component };
}

/** Zephyr smp_svr (the zephyr personality) on a real pty; every request it receives is recorded as `group/id`. */
async function zephyrOnPty() {
  const device = new SimDevice({ board: 'sf-dev-1', id: '00124b00010203aa', version: '1.0.0+0', clock: systemClock, timing: FAST, personality: 'zephyr' });
  const seen: string[] = [];
  const handle = device.handlePacket.bind(device);
  device.handlePacket = (packet: Uint8Array) => {
    const h = decodeHeader(packet);
    if (h) seen.push(`${h.group}/${h.id}`);
    handle(packet);
  };
  const sim = await SimOnPty.start(device);
  ptys.push(sim);
  return { device, sim, seen };
}

async function runJob(component: ReleaseComponent, bytes: Uint8Array, path: string) {
  const { db, cleanup } = tempDb();
  cleanups.push(cleanup);
  const service = new JobsService({ db, driver: new SmpDriver({ timeoutMs: 2000, resetSettleMs: 50 }), openImage: async () => bytesSource(bytes) });
  const spec: JobSpec = {
    release: { kind: 'image', name: 'app.bin', components: [component] },
    targets: [{ link: { kind: 'serial', path, baudRate: 1_000_000 } }],
    policy: { ledConfirm: false, retries: 0, afterRejoin: 'confirm', rejoinTimeoutMs: 10_000 },
    technician: 'Ada Tech',
    site: 'Check Site',
  };
  const id = service.start(spec);
  const job = await service.whenSettled(id);
  const audit = service.history({ jobId: id });
  await service.close();
  return { device: job.devices[0]!, audit };
}

const UPLOAD = '1/1';

describe('the direct driver checks an image against the device before the first upload request (zephyr personality on a pty)', () => {
  it('a SHA-512 hash TLV to Zephyr 3.x: no upload request reaches the device, and the result and audit row say why', { timeout: 60_000 }, async () => {
    const { device, sim, seen } = await zephyrOnPty();
    const { bytes, component } = release('sha512', '1.1.0+0');
    const { device: d, audit } = await runJob(component, bytes, sim.hostPath);
    expect(d.state).toBe('failed');
    expect(d.reasonKind).toBe('hash-not-listed');
    expect(d.reason).toContain('SHA-512 hash TLV; this device (Zephyr 3.5) lists only SHA-256');
    expect(d.reason).toContain('Nothing was sent');
    // What the device saw: OS info was asked, no image upload request ever arrived, slot 1 is empty.
    expect(seen).toContain('0/7');
    expect(seen).not.toContain(UPLOAD);
    expect(device.flash.image(1)).toBeUndefined();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ result: 'failed', reason: expect.stringContaining('SHA-512 hash TLV') });
  });

  it('a SHA-256 image to the same server passes the check and is sent', { timeout: 90_000 }, async () => {
    const { device, sim, seen } = await zephyrOnPty();
    const { bytes, component } = release('sha256', '1.2.0+0');
    const { device: d } = await runJob(component, bytes, sim.hostPath);
    expect(d.reasonKind).not.toBe('hash-not-listed');
    expect(seen.filter((s) => s === UPLOAD).length).toBeGreaterThan(1);
    expect(Buffer.compare(device.flash.image(1)?.bytes ?? new Uint8Array(), bytes)).toBe(0);
  });
});
