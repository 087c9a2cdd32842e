import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageState, imageTest } from '../../../main/devices/commands/image';
import { bytesSource } from '../../../main/devices/image-source';
import { withLinkSession } from '../../../main/devices/link-session';
import { uploadImage } from '../../../main/devices/upload';
import { createLink } from '../../../main/links/factory';
import { buildSimImage } from '../../../main/sim/image-builder';

const root = resolve(import.meta.dirname, '..', '..', '..');
const bin = join(root, 'main', 'cli', 'bin.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `siteflash` as a user does and returns its exit code and output. */
function siteflash(args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** `image list --json`, retried while the device reboots (its pty comes back after a reset). */
async function list(port: string): Promise<{ slot: number; version: string; hash: string; pending: boolean | null; active: boolean | null; confirmed: boolean | null }[]> {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const r = await siteflash(['image', 'list', '--port', port, '--json']);
    if (r.code === 0) return (JSON.parse(r.stdout) as { images: [] }).images;
    if (Date.now() > deadline) throw new Error(`image list kept failing: ${r.stderr}`);
    await new Promise((w) => setTimeout(w, 500));
  }
}

let sim: ChildProcess | undefined;
let port = '';

beforeAll(async () => {
  expect(existsSync(join(root, 'out', 'main', 'cli.js')), 'run `npm run build` before the tests').toBe(true);
  const dir = await mkdtemp(join(tmpdir(), 'siteflash-slots-'));
  const child = spawn(process.execPath, [bin, 'sim', '--json', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  sim = child;
  let text = '';
  port = await new Promise<string>((ok, fail) => {
    child.stdout.on('data', (b: Buffer) => {
      text += b.toString();
      try {
        ok((JSON.parse(text) as { devices: { path: string }[] }).devices[0]!.path);
      } catch {
        // not whole yet
      }
    });
    child.on('exit', (code) => fail(new Error(`siteflash sim exited ${code}`)));
  });
  // A test-pending image in slot 1, made with the client library (the CLI has no `image test`).
  await withLinkSession(createLink({ kind: 'serial', path: port, baudRate: 115200 }), async (session) => {
    await uploadImage(session, bytesSource(buildSimImage({ version: '1.1.0+0', board: 'sf-dev-1' })), { bufSize: 384 });
    const slot1 = (await imageState(session)).find((s) => s.slot === 1);
    await imageTest(session, slot1!.hash);
  });
}, 120_000);

afterAll(() => {
  sim?.kill('SIGINT');
});

describe('siteflash image erase / image confirm (built CLI against siteflash sim)', () => {
  it('refuses to erase a pending slot, names what to do, and erases after reset and confirm', async () => {
    expect((await list(port)).find((s) => s.slot === 1)).toMatchObject({ version: '1.1.0+0', pending: true });

    const pending = await siteflash(['image', 'erase', '--port', port]);
    expect(pending.code).toBe(1);
    expect(pending.stderr).toContain('pending a test swap');
    expect(pending.stderr).toContain('siteflash reset');
    expect((await list(port)).find((s) => s.slot === 1)).toMatchObject({ pending: true });

    expect((await siteflash(['reset', '--port', port])).code).toBe(0);
    const afterReset = await list(port);
    expect(afterReset.find((s) => s.active)).toMatchObject({ version: '1.1.0+0', confirmed: false });

    // On trial: slot 1 holds the image it reverts to, so the device refuses again.
    const trial = await siteflash(['image', 'erase', '--port', port, '--slot', '1']);
    expect(trial.code).toBe(1);
    expect(trial.stderr).toContain('siteflash image confirm');

    const confirmed = await siteflash(['image', 'confirm', '--port', port, '--json']);
    expect(confirmed.code).toBe(0);
    expect((JSON.parse(confirmed.stdout) as { images: { active: boolean; confirmed: boolean }[] }).images.find((s) => s.active)).toMatchObject({ confirmed: true });

    const erased = await siteflash(['image', 'erase', '--port', port]);
    expect(erased.code).toBe(0);
    expect(erased.stdout).toContain('Slot 1 erased');
    expect((await list(port)).map((s) => s.slot)).toEqual([0]);
  }, 180_000);

  it('exits 2 for a HASH that is not hex and 1 for one no slot holds', async () => {
    expect((await siteflash(['image', 'confirm', 'zz', '--port', port])).code).toBe(2);
    const none = await siteflash(['image', 'confirm', 'deadbeefdeadbeef', '--port', port]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('No slot holds');
  }, 60_000);

  it('lists the exit codes of image erase and image confirm in --help', async () => {
    const help = await siteflash(['--help']);
    expect(help.stdout).toMatch(/image erase --port PATH[^\n]*\n\s+Erase a slot[^\n]*Exit 0 erased, 1 the device refused/);
    expect(help.stdout).toMatch(/image confirm \[HASH\][^\n]*\n\s+Confirm the running image[^\n]*Exit 0 done, 1 refused/);
  });
});
