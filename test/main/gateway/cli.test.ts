import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliContext, Command } from '../../../main/cli/command';
import { makeGatewayCommands } from '../../../main/cli/commands/gateway';
import { systemClock } from '../../../main/links/clock';
import { createSimGateway, type SimGateway } from '../../../main/sim/gateway';
import { createSimLink } from '../../../main/sim/sim-link';

const VECTORS = '/work/shared/vectors';
const FAST = { baud: 0, processingMs: 0, eraseMsPerSector: 0.1, writeBytesPerMs: 50_000, resetDelayMs: 5, bootMs: 20, swapMsPerSector: 0.1 };

let dataDir: string;
let sim: SimGateway;
let commands: Command[];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'siteflash-gw-cli-'));
  await mkdir(join(dataDir, 'keys', 'image'), { recursive: true });
  await copyFile(join(VECTORS, 'keys', 'ed25519.pub.pem'), join(dataDir, 'keys', 'image', 'vectors-ed25519.pub.pem'));
  sim = createSimGateway({ clock: systemClock, devices: [{ board: 'sf-dev-1', count: 3, device: { timing: FAST } }], radio: { bitRate: 5_000_000, dutyCycle: 1 }, timing: FAST });
  commands = makeGatewayCommands({ openLink: () => createSimLink(sim.gateway, { clock: systemClock, framing: 'serial', baud: 0 }) });
});
afterEach(async () => {
  sim.dispose();
  await rm(dataDir, { recursive: true, force: true });
});

function context(json = false): CliContext & { stdout: string[] } {
  const stdout: string[] = [];
  return { stdout, out: (t) => stdout.push(t), err: () => undefined, json, isTTY: false, dataDir, signal: new AbortController().signal };
}
const run = (name: string, argv: string[], ctx = context()) => (commands.find((c) => c.name === `gateway ${name}`) as Command).run([...argv, '--port', '/dev/ttyGW'], ctx);

describe('siteflash gateway …', () => {
  it('identity, scan and forward answer over the gateway', async () => {
    const ctx = context(true);
    expect(await run('identity', [], ctx)).toBe(0);
    expect(JSON.parse(ctx.stdout[0]!)).toMatchObject({ role: 'gateway' });
    const scan = context(true);
    expect(await run('scan', ['--ms', '50'], scan)).toBe(0);
    expect(JSON.parse(scan.stdout[0]!).devices).toHaveLength(3);
    const fwd = context();
    expect(await run('forward', [sim.devices[0]!.id, 'echo', 'hello', 'there'], fwd)).toBe(0);
    expect(fwd.stdout).toEqual(['hello there']);
    expect(await run('led', [sim.devices[1]!.id])).toBe(0);
    expect(sim.devices[1]!.led).toBe('identify');
  });

  it('refuses an image that fails verification and stages nothing', async () => {
    await expect(run('stage', [join(VECTORS, 'images', 't02_ed25519_sig_byte_flipped.bin')])).rejects.toMatchObject({ kind: 'image-bad-signature' });
    expect(sim.field.stage.staged).toBeUndefined();
  });
});
