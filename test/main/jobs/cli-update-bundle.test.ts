import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDemoBundle } from '../../../main/demo/demo-bundle';
import { LogHub } from '../../../main/log/logger';
import { ReleasesService } from '../../../main/releases/releases-service';
import { startFleet, type Fleet } from '../../../main/sim/fleet';
import { systemClock } from '../../../main/links/clock';
import { createSimGateway, type SimGateway } from '../../../main/sim/gateway';
import { attachSerialPort, type SerialAttachment } from '../../../main/sim/serial-host';
import { SimTransport } from '../../../main/sim/sim-transport';
import { fieldVersionText } from '../../../main/sim/slot-image';
import { openPtyPair, type PtyPair } from '../../pty';
import { testSigningKeys } from '../image/signing-keys';

const root = resolve(import.meta.dirname, '..', '..', '..');

/**
 * The demo release's contents signed with keys made for this test and trusted in its data folder:
 * the demo release itself is refused for devices outside the demo site.
 */
async function importRelease(dataDir: string): Promise<string> {
  const folder = join(mkdtempSync(join(tmpdir(), 'siteflash-cli-bundle-src-')), 'bundle');
  await writeDemoBundle(folder, testSigningKeys(dataDir));
  return (await new ReleasesService(dataDir, new LogHub(null).logger('test')).importPath(folder)).id;
}

/** Runs the built `siteflash` as a technician would; resolves with its exit code and output. */
function siteflash(args: string[], dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [join(root, 'main', 'cli', 'bin.js'), ...args], { env: { ...process.env, SITEFLASH_DATA_DIR: dataDir }, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/**
 * The release (the demo's contents) holds sf-sensor-t 1.5.0+17 (hardware A, B). A device running 1.6.0 is newer:
 * `update --bundle` leaves it alone unless --allow-downgrade is given.
 */
describe('siteflash update --bundle (built CLI, simulated device on a pty)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'siteflash-cli-bundle-'));
  let fleet: Fleet;
  let bundleId = '';
  const running = () => fieldVersionText(fleet.members[0]!.device.flash.image(0)!.version);

  beforeAll(async () => {
    expect(existsSync(join(root, 'out', 'main', 'cli.js')), 'run `npm run build` before the tests').toBe(true);
    bundleId = await importRelease(dataDir);
    fleet = await startFleet({ count: 1, board: 'sf-sensor-t', version: '1.6.0+0', baud: 115200, dir: mkdtempSync(join(tmpdir(), 'siteflash-cli-bundle-sim-')), device: { hwRev: 'A' } });
  }, 60_000);
  afterAll(async () => {
    await fleet?.stop();
  });

  it('documents the refusal exit code in update --help', async () => {
    const { code, stdout } = await siteflash(['update', '--help'], dataDir);
    expect(code).toBe(0);
    expect(stdout).toMatch(/--allow-downgrade/);
    expect(stdout).toMatch(/\n {2}4 {4}the selection rules refused a device.*downgrade without --allow-downgrade/);
  });

  it('refuses the downgrade without --allow-downgrade: exit 4, nothing sent, the device keeps 1.6.0', async () => {
    const port = fleet.members[0]!.clientPath;
    const r = await siteflash(['update', '--bundle', bundleId, '--port', port, '--no-confirm', '--technician', 'Ada Tech', '--site', 'Plant 9', '--json'], dataDir);
    expect(r.code, r.stderr).toBe(4);
    const { jobs } = JSON.parse(r.stdout) as { jobs: { devices: { state: string; reasonKind: string | null; reason: string | null }[] }[] };
    expect(jobs[0]!.devices.map((x) => `${x.state} ${x.reasonKind}`)).toEqual(['failed downgrade']);
    expect(jobs[0]!.devices[0]!.reason).toContain('1.6.0');
    expect(running()).toBe('1.6.0+0');
  }, 120_000);

  it('installs the older release with --allow-downgrade: exit 0, the device runs 1.5.0+17', async () => {
    const port = fleet.members[0]!.clientPath;
    const r = await siteflash(['update', '--bundle', bundleId, '--port', port, '--no-confirm', '--allow-downgrade', '--technician', 'Ada Tech', '--site', 'Plant 9', '--json'], dataDir);
    expect(r.code, r.stderr).toBe(0);
    expect(running()).toBe('1.5.0+17');
  }, 180_000);

  it('shows both attempts in history, newest first, with who and where', async () => {
    const r = await siteflash(['history', '--site', 'Plant 9', '--json'], dataDir);
    expect(r.code, r.stderr).toBe(0);
    const { history } = JSON.parse(r.stdout) as { history: { result: string; toVersion: string | null; technician: string; reason: string | null }[] };
    expect(history.map((h) => `${h.result} ${h.toVersion}`)).toEqual(['done 1.5.0+17', 'failed null']);
    expect(history.every((h) => h.technician === 'Ada Tech')).toBe(true);
  });

  it('refuses --bundle together with an IMAGE as a usage error', async () => {
    const r = await siteflash(['update', 'app.bin', '--bundle', bundleId, '--port', '/dev/null'], dataDir);
    expect(r.code).toBe(2);
  });
});

/** A fast simulated gateway (serial at 1 Mbaud on a pty) with two sf-sensor-t rev A devices on 1.4.2 behind its radio. */
describe('siteflash gateway batch --bundle (built CLI, simulated gateway on a pty)', () => {
  const FAST = { baud: 1_000_000, processingMs: 0, eraseMsPerSector: 0.2, writeBytesPerMs: 20_000, resetDelayMs: 10, bootMs: 40, swapMsPerSector: 0.2 };
  const dataDir = mkdtempSync(join(tmpdir(), 'siteflash-cli-gw-'));
  let sim: SimGateway;
  let pty: PtyPair;
  let transport: SimTransport;
  let port: SerialAttachment;
  let bundleId = '';

  beforeAll(async () => {
    bundleId = await importRelease(dataDir);
    sim = createSimGateway({
      clock: systemClock,
      devices: [{ board: 'sf-sensor-t', count: 2, version: '1.4.2+0', device: { hwRev: 'A', timing: FAST } }],
      radio: { bitRate: 2_000_000, dutyCycle: 1 },
      timing: FAST,
    });
    pty = await openPtyPair();
    transport = new SimTransport(sim.gateway, { framing: 'serial', clock: systemClock, banner: false });
    port = await attachSerialPort(transport, pty.a, 1_000_000);
  }, 60_000);
  afterAll(async () => {
    await port?.close();
    transport?.dispose();
    await pty?.close();
    sim?.dispose();
  });

  it('runs the batch as a job of the core: the devices run the release, and history lists each of them', async () => {
    const ids = sim.devices.map((x) => x.id);
    const r = await siteflash(['gateway', 'batch', '--bundle', bundleId, '--targets', ids.join(','), '--port', pty.b, '--baud', '1000000', '--no-confirm', '--site', 'Gateway site', '--json'], dataDir);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    for (const x of sim.devices) expect(fieldVersionText(x.flash.image(0)!.version)).toBe('1.5.0+17');
    const h = await siteflash(['history', '--site', 'Gateway site', '--json'], dataDir);
    expect(h.code, h.stderr).toBe(0);
    const { history } = JSON.parse(h.stdout) as { history: { deviceId: string | null; result: string; toVersion: string | null }[] };
    expect(history.map((x) => `${x.deviceId} ${x.result} ${x.toVersion}`).sort()).toEqual(ids.map((id) => `${id} done 1.5.0+17`).sort());
  }, 180_000);
});
