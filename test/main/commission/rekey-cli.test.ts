import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT, UsageError, type CliContext } from '../../../main/cli/command';
import { makeRekeyCommands } from '../../../main/cli/commands/rekey';
import { decodePanId } from '../../../main/commission/net-settings';
import { SmpDriver } from '../../../main/jobs/smp-driver';
import { systemClock } from '../../../main/links/clock';
import type { Link } from '../../../main/links/link';
import { SimDevice } from '../../../main/sim/device';
import { createSimLink } from '../../../main/sim/sim-link';
import { clearKeychain, keychain, netDeviceOptions } from './net-fleet';

const dir = mkdtempSync(join(tmpdir(), 'siteflash-rekey-cli-'));
const devices = [0, 1].map((n) => new SimDevice(netDeviceOptions(90 + n, systemClock)));
const links = new Map<string, Link>(devices.map((d, n) => [`/dev/sim-${n}`, createSimLink(d, { framing: 'serial', clock: systemClock, name: `cli${n}` })]));
afterAll(async () => {
  devices.forEach((d) => d.dispose());
  rmSync(dir, { recursive: true, force: true });
  await clearKeychain();
});

const KEY_HEX = '00112233445566778899aabbccddeeff';

function context(json = false): CliContext & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t), json, isTTY: false, dataDir: join(dir, 'data'), signal: new AbortController().signal };
}

const questions: string[] = [];
const stdin: string[] = [];
const [rekey, setKey, status] = makeRekeyCommands({
  driver: () => new SmpDriver({ timeoutMs: 500, resetSettleMs: 20, openLink: (t) => links.get(t.link.kind === 'serial' ? t.link.path : '') as Link }),
  store: () => keychain,
  ask: async (q) => (questions.push(q), true),
  readSecret: async () => stdin.shift() ?? '',
});
if (!rekey || !setKey || !status) throw new Error('three commands expected');

describe('siteflash secrets and rekey', () => {
  it('stores a project key read from stdin, never from the command line, and lists only names', async () => {
    await expect(setKey.run(['--project', 'plant7', '--key', KEY_HEX], context())).rejects.toBeInstanceOf(UsageError);
    await expect(setKey.run(['--project', 'plant7', KEY_HEX], context())).rejects.toBeInstanceOf(UsageError);
    stdin.push('not a key');
    await expect(setKey.run(['--project', 'plant7'], context())).rejects.toMatchObject({ kind: 'net-key-invalid' });
    stdin.push(KEY_HEX.toUpperCase());
    const set = context();
    expect(await setKey.run(['--project', 'plant7'], set)).toBe(EXIT.ok);
    const st = context(true);
    expect(await status.run([], st)).toBe(EXIT.ok);
    expect(JSON.parse(st.stdout.join(''))).toEqual({ cloudToken: false, netKeys: ['plant7'] });
    expect([...set.stdout, ...set.stderr, ...st.stdout].join('\n').toLowerCase()).not.toContain(KEY_HEX);
  });

  it('re-keys the devices on the given ports, asking about the joined LED, and prints the old/new counts', { timeout: 20_000 }, async () => {
    const ctx = context(true);
    const code = await rekey.run(['--port', '/dev/sim-0', '--port', '/dev/sim-1', '--project', 'plant7', '--pan', '0xbeef', '--channel', '20', '--security', 'aes-ccm-128', '--technician', 'Ada Tech'], ctx);
    expect(code).toBe(EXIT.ok);
    const { jobs } = JSON.parse(ctx.stdout.join('')) as { jobs: { network: unknown; devices: { key: string; state: string }[] }[] };
    expect(jobs[0]?.devices.map((d) => `${d.key} ${d.state}`)).toEqual(['serial:/dev/sim-0 done', 'serial:/dev/sim-1 done']);
    expect(jobs[0]?.network).toEqual({ old: 0, new: 2, unknown: 0 });
    expect(questions.filter((q) => q.includes('joined'))).toHaveLength(2);
    for (const d of devices) {
      expect(decodePanId(d.settings.persistedValue('net/pan_id') ?? new Uint8Array())).toBe(0xbeef);
      expect(Buffer.from(d.settings.persistedValue('net/key') ?? []).toString('hex')).toBe(KEY_HEX);
    }
    expect([...ctx.stdout, ...ctx.stderr].join('\n').toLowerCase()).not.toContain(KEY_HEX);
  });

  it('fails each device with how to set the key when the project has none', { timeout: 20_000 }, async () => {
    const ctx = context();
    const code = await rekey.run(['--port', '/dev/sim-0', '--project', 'nokey', '--pan', '1', '--channel', '1', '--security', 'none', '--no-confirm'], ctx);
    expect(code).toBe(EXIT.failed);
    expect(ctx.stdout.join('\n')).toMatch(/failed .*secrets set-net-key --project nokey/);
  });

  it.each([
    [['--port', '/dev/sim-0', '--pan', '1', '--channel', '1', '--security', 'none'], /--project/],
    [['--port', '/dev/sim-0', '--project', 'p', '--pan', '70000', '--channel', '1', '--security', 'none'], /--pan must be a whole number from 0 to 65535/],
    [['--port', '/dev/sim-0', '--project', 'p', '--pan', '1', '--channel', '1', '--security', 'wep'], /--security must be one of/],
    [['--project', 'p', '--pan', '1', '--channel', '1', '--security', 'none'], /--port/],
  ])('refuses %j as a usage error', async (argv, message) => {
    await expect(rekey.run(argv, context())).rejects.toThrow(message);
  });
});
