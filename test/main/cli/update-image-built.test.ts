import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage } from '../../../main/image/build';

const root = resolve(import.meta.dirname, '..', '..', '..');
const BIN = join(root, 'main', 'cli', 'bin.js');

/** Runs the built `siteflash` as a technician would; resolves with its exit code and output. */
function siteflash(args: string[], dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, SITEFLASH_DATA_DIR: dataDir }, timeout: 170_000 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

/** `siteflash sim … --json` left running: resolves with what it printed once it is up. */
function startSim<T>(args: string[], dataDir: string): Promise<{ child: ChildProcess; info: T }> {
  const child = spawn(process.execPath, [BIN, 'sim', ...args, '--json'], { env: { ...process.env, SITEFLASH_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`siteflash sim did not start:\n${out}\n${err}`)), 60_000);
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      try {
        const info = JSON.parse(out) as T;
        clearTimeout(timer);
        done({ child, info });
      } catch {
        // Not all of the document yet.
      }
    });
    child.on('exit', (code) => fail(new Error(`siteflash sim exited (${code}):\n${out}\n${err}`)));
  });
}

function stop(child: ChildProcess | undefined): Promise<void> {
  return new Promise((done) => {
    if (!child || child.exitCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

/** A data folder that trusts a key made for this test, and an image signed with it for `board` at `version`. */
function signedImage(dataDir: string, board: string, version: string): string {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  mkdirSync(join(dataDir, 'keys', 'image'), { recursive: true });
  writeFileSync(join(dataDir, 'keys', 'image', 'cli-image-test.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
  const path = join(dataDir, '..', `app-${version}.bin`);
  writeFileSync(path, buildImage({ body: new Uint8Array(12_000).map((_, i) => (i * 7) & 0xff), version, signingKey: privateKey, board }));
  return path;
}

type HistoryRow = { deviceKey: string; deviceId: string | null; result: string; reasonKind?: string | null; fromVersion: string | null; toVersion: string | null; site: string | null };

beforeAll(() => {
  expect(existsSync(join(root, 'out', 'main', 'cli.js')), 'run `npm run build` before the tests').toBe(true);
});

describe('siteflash update IMAGE goes through the core (built CLI, `siteflash sim` device on a pty)', () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'siteflash-update-image-')), 'data');
  let sim: ChildProcess | undefined;
  let port = '';
  let image = '';

  beforeAll(async () => {
    mkdirSync(dataDir);
    image = signedImage(dataDir, 'sf-dev-1', '1.5.0+0');
    const started = await startSim<{ devices: { path: string }[] }>(['--count', '1', '--board', 'sf-dev-1', '--version', '1.6.0+0', '--baud', '1000000'], mkdtempSync(join(tmpdir(), 'siteflash-sim-data-')));
    sim = started.child;
    port = started.info.devices[0]!.path;
  }, 90_000);
  afterAll(() => stop(sim));

  it('documents exit code 4 for a refusal by the selection rules', async () => {
    const r = await siteflash(['update', '--help'], dataDir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\n {2}4 {4}the selection rules refused a device.*downgrade without --allow-downgrade/);
  });

  it('refuses the older image without --allow-downgrade: exit 4, nothing installed', async () => {
    const r = await siteflash(['update', image, '--port', port, '--baud', '1000000', '--no-confirm', '--site', 'Image site', '--technician', 'Ada Tech', '--json'], dataDir);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(4);
    const { jobs } = JSON.parse(r.stdout) as { jobs: { devices: { state: string; reasonKind: string | null; reason: string | null }[] }[] };
    expect(jobs[0]!.devices.map((d) => `${d.state} ${d.reasonKind}`)).toEqual(['failed downgrade']);
    expect(jobs[0]!.devices[0]!.reason).toContain('1.6.0');
  }, 180_000);

  it('installs it with --allow-downgrade: exit 0, and history shows both attempts with their audit rows', async () => {
    const r = await siteflash(['update', image, '--port', port, '--baud', '1000000', '--no-confirm', '--allow-downgrade', '--site', 'Image site', '--technician', 'Ada Tech', '--json'], dataDir);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const { jobs } = JSON.parse(r.stdout) as { jobs: { devices: { state: string; toVersion: string | null }[] }[] };
    expect(jobs[0]!.devices.map((d) => `${d.state} ${d.toVersion}`)).toEqual(['done 1.5.0+0']);
    const h = await siteflash(['history', '--site', 'Image site', '--json'], dataDir);
    expect(h.code, h.stderr).toBe(0);
    const { history } = JSON.parse(h.stdout) as { history: HistoryRow[] };
    expect(history.map((x) => `${x.result} ${x.toVersion}`)).toEqual(['done 1.5.0+0', 'failed null']);
    const audit = await siteflash(['audit', 'verify', '--json'], dataDir);
    expect(audit.code, audit.stdout).toBe(0);
  }, 180_000);
});

describe('siteflash gateway batch IMAGE goes through the core (built CLI, `siteflash sim --gateway`)', () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'siteflash-gw-image-')), 'data');
  let sim: ChildProcess | undefined;
  let info: { gateway: { path: string }; devices: { id: string }[] };
  let image = '';

  beforeAll(async () => {
    mkdirSync(dataDir);
    image = signedImage(dataDir, 'sf-dev-1', '1.1.0+0');
    const started = await startSim<typeof info>(['--gateway', '--devices', '2', '--board', 'sf-dev-1', '--version', '1.0.0+0', '--baud', '1000000'], mkdtempSync(join(tmpdir(), 'siteflash-sim-data-')));
    sim = started.child;
    info = started.info;
  }, 90_000);
  afterAll(() => stop(sim));

  it('updates the devices behind the gateway as a job, and history lists each of them', async () => {
    const ids = info.devices.map((d) => d.id);
    const r = await siteflash(['gateway', 'batch', image, '--targets', ids.join(','), '--port', info.gateway.path, '--baud', '1000000', '--no-confirm', '--site', 'Gateway image site', '--json'], dataDir);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const h = await siteflash(['history', '--site', 'Gateway image site', '--json'], dataDir);
    expect(h.code, h.stderr).toBe(0);
    const { history } = JSON.parse(h.stdout) as { history: HistoryRow[] };
    expect(history.map((x) => `${x.deviceId} ${x.result} ${x.toVersion}`).sort()).toEqual(ids.map((id) => `${id} done 1.1.0+0`).sort());
  }, 180_000);

  it('refuses an IMAGE together with --bundle, and a missing IMAGE, as usage errors', async () => {
    expect((await siteflash(['gateway', 'batch', image, '--bundle', 'x', '--targets', 'a', '--port', info.gateway.path], dataDir)).code).toBe(2);
    expect((await siteflash(['gateway', 'batch', '--targets', 'a', '--port', info.gateway.path], dataDir)).code).toBe(2);
  });
});
