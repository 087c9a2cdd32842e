/**
 * Several gateways at once, each a simulated gateway on its own pty: the core keeps them all,
 * Collect hears through all of them and says which gateway heard each device, and a job over
 * devices behind three gateways runs the three batches at the same time (one driver per gateway).
 * When the release has an image for the gateways' own board, each gateway is updated first and
 * only then its devices; a gateway whose update fails leaves its devices unstarted, with the reason.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceStateEvent, HeardDevice } from '../../../preload/api';
import { Core } from '../../../main/core';
import { buildImage, seededBody } from '../../../main/image/build';
import { buildBundle, writeBundleFolder } from '../../../main/image/bundle-build';
import { sleep, systemClock } from '../../../main/links/clock';
import { startGatewayHost, type GatewayHost } from '../../../main/sim/gateway-host';
import { fieldVersionText } from '../../../main/sim/slot-image';
import { testSigningKeys } from '../image/signing-keys';

const FAST = { baud: 1_000_000, processingMs: 0, eraseMsPerSector: 0.2, writeBytesPerMs: 20_000, resetDelayMs: 10, bootMs: 40, swapMsPerSector: 0.2 };
const PER_GATEWAY = 4;
const tmp = mkdtempSync(join(tmpdir(), 'siteflash-gateways-'));
const cores: Core[] = [];
let hosts: GatewayHost[] = [];

async function startGateways(tag: string): Promise<GatewayHost[]> {
  const dir = mkdtempSync(join(tmp, `${tag}-pty-`));
  const out: GatewayHost[] = [];
  for (let i = 0; i < 3; i++) {
    out.push(
      await startGatewayHost({
        devices: [{ board: 'sf-dev-1', count: PER_GATEWAY, version: '1.0.0+0', device: { timing: FAST } }],
        baud: 1_000_000,
        dir,
        name: `gateway-${i + 1}`,
        id: `5f1a6a7e0000000${i + 1}`,
        firstDevice: i * PER_GATEWAY,
        seed: i + 1,
        radio: { bitRate: 2_000_000, dutyCycle: 1 },
        timing: FAST,
      }),
    );
  }
  return out;
}

/** A core trusting fresh keys, with a bundle for sf-dev-1 (1.1.0) and, when given, the gateway board sf-gw-2. */
async function coreWithBundle(name: string, gatewayVersion?: string): Promise<{ core: Core; bundleId: string }> {
  const dataDir = join(tmp, name);
  const keys = testSigningKeys(dataDir);
  const dev = buildImage({ body: seededBody(`${name}-dev`, 6000), version: '1.1.0', signingKey: keys.image, board: 'sf-dev-1' });
  const components = [{ board: 'sf-dev-1', hwRevisions: ['1'], name: 'dev.bin', image: dev }];
  if (gatewayVersion) components.push({ board: 'sf-gw-2', hwRevisions: ['1'], name: 'gw.bin', image: buildImage({ body: seededBody(`${name}-gw`, 9000), version: gatewayVersion, signingKey: keys.image, board: 'sf-gw-2' }) });
  const src = join(tmp, `${name}-bundle`);
  await writeBundleFolder(src, buildBundle({ id: `site-${name}`, systemVersion: '1.1.0', created: '2026-12-01T00:00:00Z', releaseKey: keys.release, components }));
  const core = new Core({ dataDir, host: 'cli', logToFile: false, portLister: async () => [], deviceSources: {} });
  cores.push(core);
  const imported = await core.invoke('releases:import-path', { path: src });
  if (!imported.ok) throw new Error(imported.error.message);
  return { core, bundleId: imported.value.id };
}

async function until<T>(what: string, read: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = read();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(systemClock, 100);
  }
}

/** Connects the three gateways and collects until every device is heard; returns what Collect shows. */
async function connectAndCollect(core: Core): Promise<HeardDevice[]> {
  for (const h of hosts) {
    const r = await core.invoke('gateway:connect', { path: h.clientPath, baudRate: 1_000_000 });
    if (!r.ok) throw new Error(r.error.message);
  }
  await core.invoke('collect:start', {});
  const heard = await until('every device heard', () => {
    const d = core.services.gateway.collectState.devices;
    return d.length === 3 * PER_GATEWAY ? d : undefined;
  });
  await core.invoke('collect:stop', {});
  return heard;
}

function gatewayOf(deviceId: string): GatewayHost {
  return hosts.find((h) => h.sim.devices.some((d) => d.id === deviceId))!;
}

beforeAll(async () => {
  hosts = await startGateways('a');
}, 60_000);
// A test that failed half-way must not leave the gateways' ports held for the next one.
afterEach(async () => {
  for (const c of cores) await c.services.jobs.close();
  for (const c of cores) await c.invoke('gateway:disconnect', {});
});
afterAll(async () => {
  for (const c of cores) await c.close();
  for (const h of hosts) await h.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('several gateways at once', () => {
  it('connects three gateways, hears each device through its own, and runs the three batches at the same time', { timeout: 120_000 }, async () => {
    const { core, bundleId } = await coreWithBundle('parallel');
    const heard = await connectAndCollect(core);

    const listed = await core.invoke('gateway:list', {});
    expect(listed.ok && listed.value.map((g) => ({ id: g.id, via: g.via, board: g.board, version: g.version, state: g.state }))).toEqual(
      hosts.map((h) => ({ id: h.sim.gateway.id, via: h.clientPath, board: 'sf-gw-2', version: '2.0.0+0', state: 'ready' })),
    );
    for (const d of heard) {
      const gw = gatewayOf(d.id).sim.gateway.id;
      expect(d.gateway?.id).toBe(gw);
      expect(d.target).toEqual({ kind: 'gateway', deviceId: d.id, gatewayId: gw });
    }

    // The order in which the gateways start and end their batches, as the gateways saw the client's requests.
    const order: string[] = [];
    hosts.forEach((h, i) => h.sim.field.batchEvents.add((e) => order.push(`${e.event} ${i + 1}`)));
    const started = await core.invoke('job:start', { kind: 'firmware', bundleId, targets: heard.map((d) => ({ link: d.target, expectedDeviceId: d.id })), policy: { ledConfirm: false, retries: 1, afterRejoin: 'confirm' } });
    if (!started.ok) throw new Error(started.error.message);
    const job = await core.services.jobs.whenSettled(started.value.id);

    expect(job.devices.map((d) => d.state)).toEqual(Array(3 * PER_GATEWAY).fill('done'));
    for (const h of hosts) for (const d of h.sim.devices) expect(fieldVersionText(d.flash.image(0)!.version)).toBe('1.1.0+0');
    // Each device's key names the gateway it went through.
    for (const d of job.devices) expect(d.key).toBe(`loopback:gateway/${gatewayOf(d.deviceId!).sim.gateway.id}/${d.deviceId}`);
    // All three batches started before the first one ended: they ran in parallel, not one gateway after another.
    const firstEnd = order.findIndex((e) => e.startsWith('ended'));
    // (A device retried under load may add a later batch on its gateway: counted once.)
    expect([...new Set(order.slice(0, firstEnd))].sort()).toEqual(['started 1', 'started 2', 'started 3']);
    expect([...new Set(order.filter((e) => e.startsWith('ended')))].sort()).toEqual(['ended 1', 'ended 2', 'ended 3']);

    // Disconnecting one gateway leaves the other two.
    await core.invoke('gateway:disconnect', { id: hosts[1]!.sim.gateway.id });
    const left = await core.invoke('gateway:list', {});
    expect(left.ok && left.value.map((g) => g.id)).toEqual([hosts[0]!.sim.gateway.id, hosts[2]!.sim.gateway.id]);
    await core.invoke('gateway:disconnect', {});
  });

  it("updates each gateway's own firmware first, then its devices", { timeout: 180_000 }, async () => {
    const { core, bundleId } = await coreWithBundle('gateway-first', '2.1.0');
    const heard = await connectAndCollect(core);
    const events: DeviceStateEvent[] = [];
    core.services.jobs.on('job:device-state', (e) => events.push(e));
    const started = await core.invoke('job:start', { kind: 'firmware', bundleId, targets: heard.map((d) => ({ link: d.target, expectedDeviceId: d.id })), policy: { ledConfirm: true, retries: 1, afterRejoin: 'confirm' } });
    if (!started.ok) throw new Error(started.error.message);
    // The gateways first: no LED question is asked of a gateway (it has no update mode); the devices' answers are given as they come.
    const off = core.services.jobs.on('job:led-prompt', (p) => void core.invoke('job:answer-led', { jobId: p.jobId, deviceKey: p.deviceKey, seen: true }));
    const job = await core.services.jobs.whenSettled(started.value.id);
    off();

    const selfKeys = hosts.map((h) => `loopback:gateway-self/${h.sim.gateway.id}`);
    expect(job.devices.slice(0, 3).map((d) => [d.key, d.state, d.toVersion])).toEqual(selfKeys.map((k) => [k, 'done', '2.1.0+0']));
    expect(job.devices.map((d) => d.state)).toEqual(Array(3 + 3 * PER_GATEWAY).fill('done'));
    for (const h of hosts) {
      expect(fieldVersionText(h.sim.gateway.flash.image(0)!.version)).toBe('2.1.0+0');
      for (const d of h.sim.devices) expect(fieldVersionText(d.flash.image(0)!.version)).toBe('1.1.0+0');
      // No device of this gateway started before the gateway ended done.
      const self = `loopback:gateway-self/${h.sim.gateway.id}`;
      const gwDone = events.find((e) => e.deviceKey === self && e.to === 'done')!.seq;
      const firstDevice = Math.min(...events.filter((e) => e.deviceKey.includes(`gateway/${h.sim.gateway.id}/`)).map((e) => e.seq));
      expect(firstDevice).toBeGreaterThan(gwDone);
    }
    expect(job.devices.slice(0, 3).every((d) => d.ledAnswers.length === 0)).toBe(true);
    const listed = await core.invoke('gateway:list', {});
    expect(listed.ok && listed.value.map((g) => [g.version, g.state])).toEqual(hosts.map(() => ['2.1.0+0', 'ready']));
    await core.invoke('gateway:disconnect', {});
  });

  it("leaves a gateway's devices unstarted, saying why, when the gateway's own update fails", { timeout: 120_000 }, async () => {
    // 1.9.0 for gateways running 2.0.0 (or 2.1.0 after the test above) is a downgrade: each gateway refuses it, so none of the devices may start.
    const { core, bundleId } = await coreWithBundle('gateway-refused', '1.9.0');
    const heard = await connectAndCollect(core);
    const before = hosts.map((h) => h.sim.devices.map((d) => fieldVersionText(d.flash.image(0)!.version)));
    const started = await core.invoke('job:start', { kind: 'firmware', bundleId, targets: heard.map((d) => ({ link: d.target, expectedDeviceId: d.id })), policy: { ledConfirm: false, retries: 0, afterRejoin: 'confirm' } });
    if (!started.ok) throw new Error(started.error.message);
    const job = await core.services.jobs.whenSettled(started.value.id);
    expect(job.devices.slice(0, 3).map((d) => [d.state, d.reasonKind])).toEqual(hosts.map(() => ['failed', 'downgrade']));
    for (const d of job.devices.slice(3)) {
      expect([d.state, d.reasonKind]).toEqual(['failed', 'gateway-not-updated']);
      expect(d.reason).toMatch(/gateway's own firmware goes first and it was not updated: 5f1a6a7e0000000\d ended failed/);
    }
    expect(hosts.map((h) => h.sim.devices.map((d) => fieldVersionText(d.flash.image(0)!.version)))).toEqual(before);
    await core.invoke('gateway:disconnect', {});
  });
});
