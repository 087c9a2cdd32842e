/**
 * `siteflash sim [--count N] [--board NAME] [--version V] [--baud B] [--dir DIR]`: runs simulated
 * MCUboot + Zephyr SMP devices on pseudo-terminals (socat pairs) until Ctrl-C, printing the
 * path a client opens for each. Exit 0 after Ctrl-C or SIGTERM (socat stopped), 2 usage, 3 when
 * socat/ptys are unavailable or `--dir` is not a writable folder.
 * With `--gateway [--devices N] [--gateways G]`: G simulated gateways (default 1), each on its own pty
 * (`DIR/gateway`, or `DIR/gateway-1` … when G > 1) with N devices of its own behind its radio.
 * `--personality mcuboot-recovery | zephyr`: devices answer like the recorded MCUboot serial
 * recovery or Zephyr smp_svr (smp.md §11.1–11.2) instead of the simulator's own application.
 */
import { constants } from 'node:fs';
import { access, mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SiteflashError } from '../../errors';
import { startFleet } from '../../sim/fleet';
import { startGatewayHost, type GatewayHost } from '../../sim/gateway-host';
import { EXIT, parseOptions, UsageError, type CliContext, type Command } from '../command';

function positiveInt(text: string | undefined, name: string, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`--${name} must be a whole number from 1 to ${max}.`);
  return n;
}

/** Why the simulator cannot make its pty links in `dir`, or null when it can. */
async function folderProblem(dir: string): Promise<string | null> {
  const st = await stat(dir).catch(() => null);
  if (!st) return 'the folder does not exist (create it first, or leave --dir out for a temporary one)';
  if (!st.isDirectory()) return 'not a folder';
  const writable = await access(dir, constants.W_OK | constants.X_OK).then(
    () => true,
    () => false,
  );
  return writable ? null : 'the folder is not writable';
}

export const simCommand: Command = {
  name: 'sim',
  summary: 'run simulated devices on pseudo-terminals until Ctrl-C',
  usage: 'sim [--count N | --gateway [--devices N] [--gateways G]] [--personality mcuboot-recovery|zephyr] [--board NAME] [--version V] [--baud B] [--dir DIR]',
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parseOptions(
      argv,
      {
        count: { type: 'string' },
        board: { type: 'string' },
        version: { type: 'string' },
        baud: { type: 'string' },
        dir: { type: 'string' },
        gateway: { type: 'boolean' },
        devices: { type: 'string' },
        gateways: { type: 'string' },
        personality: { type: 'string' },
      },
      false,
    );
    if (positionals.length > 0) throw new UsageError('sim takes no arguments.');
    const count = positiveInt(values.count, 'count', 1, 64);
    const baud = positiveInt(values.baud, 'baud', 115200, 4_000_000);
    const version = values.version ?? '1.0.0+0';
    if (!/^\d{1,3}(\.\d{1,3}(\.\d{1,5}(\+\d{1,10})?)?)?$/.test(version)) throw new UsageError('--version must look like 1.2.3+4.');
    const board = values.board ?? 'sf-dev-1';
    // Usage errors first: the folder is only looked at for a command line that makes sense.
    if (!values.gateway && values.devices !== undefined) throw new UsageError('--devices goes with --gateway.');
    if (!values.gateway && values.gateways !== undefined) throw new UsageError('--gateways goes with --gateway.');
    const gateways = positiveInt(values.gateways, 'gateways', 1, 8);
    const personality = values.personality;
    if (personality !== undefined && personality !== 'mcuboot-recovery' && personality !== 'zephyr') throw new UsageError('--personality must be mcuboot-recovery or zephyr.');
    if (values.dir !== undefined) {
      // socat would only time out on a link it cannot make; say what is wrong with the folder instead.
      const problem = await folderProblem(values.dir);
      if (problem) {
        ctx.err(`siteflash sim: --dir ${values.dir}: ${problem}.`);
        return EXIT.unreachable;
      }
    }
    const dir = values.dir ?? (await mkdtemp(join(tmpdir(), 'siteflash-sim-')));
    if (values.gateway) return runGateways(gateways, positiveInt(values.devices, 'devices', 10, 200), board, version.includes('+') ? version : `${version}+0`, baud, dir, ctx);
    let fleet;
    try {
      fleet = await startFleet({ count, board, version: version.includes('+') ? version : `${version}+0`, baud, dir, ...(personality ? { device: { personality } } : {}) });
    } catch (err) {
      if (err instanceof SiteflashError) {
        ctx.err(err.message);
        return EXIT.unreachable;
      }
      throw err;
    }
    if (ctx.json) {
      ctx.out(JSON.stringify({ devices: fleet.members.map((m) => ({ id: m.device.id, board, version, path: m.clientPath })) }, null, 2));
    } else {
      for (const m of fleet.members) ctx.out(`${m.clientPath}  ${m.device.id}  ${board}  ${version}  ${baud} baud`);
      ctx.out('Simulated devices running; press Ctrl-C to stop.');
    }
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) return resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await fleet.stop();
    return EXIT.ok;
  },
};

/** EUI-64 of simulated gateway `i` (0-based): `5f1a6a7e00000001`, `…02`, … */
function simGatewayId(i: number): string {
  return `5f1a6a7e${(i + 1).toString(16).padStart(8, '0')}`;
}

/** `sim --gateway`: `count` gateways, each on its own pty with `devices` devices in update mode behind its radio. */
async function runGateways(count: number, devices: number, board: string, version: string, baud: number, dir: string, ctx: CliContext): Promise<number> {
  const hosts: GatewayHost[] = [];
  try {
    for (let i = 0; i < count; i++) {
      hosts.push(
        await startGatewayHost({
          devices: [{ board, count: devices, version }],
          baud,
          dir,
          id: simGatewayId(i),
          firstDevice: i * devices,
          seed: i + 1,
          // The scan answer grows ~70 bytes a device: past ~50 it no longer fits the default 4 KiB buffer (ENOMEM).
          ...(devices > 50 ? { bufSize: 16_384 } : {}),
          ...(count > 1 ? { name: `gateway-${i + 1}` } : {}),
        }),
      );
    }
  } catch (err) {
    for (const h of hosts) await h.stop();
    if (err instanceof SiteflashError) {
      ctx.err(err.message);
      return EXIT.unreachable;
    }
    throw err;
  }
  if (ctx.json) {
    const gw = hosts.map((h) => ({ id: h.sim.gateway.id, path: h.clientPath, devices: h.sim.devices.map((d) => ({ id: d.id, board, version })) }));
    // One gateway keeps the shape it always had; several are listed under `gateways`.
    ctx.out(JSON.stringify(count === 1 ? { gateway: { id: gw[0]!.id, path: gw[0]!.path }, devices: gw[0]!.devices } : { gateways: gw }, null, 2));
  } else {
    for (const h of hosts) ctx.out(`${h.clientPath}  gateway ${h.sim.gateway.id}  ${baud} baud, ${devices} ${board} devices behind its radio`);
    ctx.out(count === 1 ? 'Simulated gateway running; press Ctrl-C to stop.' : `${count} simulated gateways running; press Ctrl-C to stop.`);
  }
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) return resolve();
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  for (const h of hosts) await h.stop();
  return EXIT.ok;
}
