/** `siteflash sim --gateway --gateways N` as a user runs it: the built command, child processes, exit codes. */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..', '..');
const bin = join(root, 'main', 'cli', 'bin.js');
let dir: string;

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(process.execPath, [bin, ...args], { timeout: 60_000 }, (_e, stdout, stderr) => done({ code: child.exitCode, stdout, stderr }));
  });
}

beforeAll(async () => {
  expect(existsSync(join(root, 'out', 'main', 'cli.js')), 'run `npm run build` before the tests').toBe(true);
  dir = await mkdtemp(join(tmpdir(), 'siteflash-sim-gateways-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('siteflash sim --gateway --gateways N (built)', () => {
  it('runs two gateways on their own ptys with distinct ids and devices; each answers as itself; exit 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [bin, 'sim', '--gateway', '--gateways', '2', '--devices', '3', '--json', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    const listed = await new Promise<{ gateways: { id: string; path: string; devices: { id: string }[] }[] }>((ready, fail) => {
      let out = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (t: string) => {
        out += t;
        try {
          ready(JSON.parse(out));
        } catch {
          // not the whole JSON yet
        }
      });
      void exited.then(() => fail(new Error(`sim ended before it was ready: ${out}`)));
    });
    try {
      expect(listed.gateways.map((g) => [g.id, g.path])).toEqual([
        ['5f1a6a7e00000001', join(dir, 'gateway-1')],
        ['5f1a6a7e00000002', join(dir, 'gateway-2')],
      ]);
      const ids = listed.gateways.flatMap((g) => g.devices.map((d) => d.id));
      expect(new Set(ids).size).toBe(6);
      for (const g of listed.gateways) {
        const r = await run(['gateway', 'identity', '--port', g.path, '--json']);
        expect(r.code).toBe(0);
        expect(JSON.parse(r.stdout)).toMatchObject({ id: g.id, role: 'gateway' });
        const scan = await run(['gateway', 'scan', '--port', g.path, '--ms', '200', '--json']);
        expect(scan.code).toBe(0);
        expect((JSON.parse(scan.stdout) as { devices: { id: string }[] }).devices.map((d) => d.id).sort()).toEqual(g.devices.map((d) => d.id).sort());
      }
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 120_000);

  it('refuses --gateways without --gateway, and a count out of range, as usage errors (exit 2)', async () => {
    const alone = await run(['sim', '--gateways', '2', '--dir', dir]);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('--gateways goes with --gateway');
    const zero = await run(['sim', '--gateway', '--gateways', '0', '--dir', dir]);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('--gateways must be a whole number from 1 to 8');
  }, 90_000);
});
