/**
 * `siteflash sim [--count N] [--board NAME] [--version V] [--baud B] [--dir DIR]`: runs simulated
 * MCUboot + Zephyr SMP devices on pseudo-terminals (socat pairs) until Ctrl-C, printing the
 * path a client opens for each. Exit 0 after Ctrl-C, 2 usage, 3 when socat/ptys are unavailable.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SiteflashError } from '../../errors';
import { startFleet } from '../../sim/fleet';
import { EXIT, parseOptions, UsageError, type CliContext, type Command } from '../command';

function positiveInt(text: string | undefined, name: string, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`--${name} must be a whole number from 1 to ${max}.`);
  return n;
}

export const simCommand: Command = {
  name: 'sim',
  summary: 'run simulated devices on pseudo-terminals until Ctrl-C',
  usage: 'sim [--count N] [--board NAME] [--version V] [--baud B] [--dir DIR]',
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parseOptions(
      argv,
      {
        count: { type: 'string' },
        board: { type: 'string' },
        version: { type: 'string' },
        baud: { type: 'string' },
        dir: { type: 'string' },
      },
      false,
    );
    if (positionals.length > 0) throw new UsageError('sim takes no arguments.');
    const count = positiveInt(values.count, 'count', 1, 64);
    const baud = positiveInt(values.baud, 'baud', 115200, 4_000_000);
    const version = values.version ?? '1.0.0+0';
    if (!/^\d{1,3}(\.\d{1,3}(\.\d{1,5}(\+\d{1,10})?)?)?$/.test(version)) throw new UsageError('--version must look like 1.2.3+4.');
    const board = values.board ?? 'sf-dev-1';
    const dir = values.dir ?? (await mkdtemp(join(tmpdir(), 'siteflash-sim-')));
    let fleet;
    try {
      fleet = await startFleet({ count, board, version: version.includes('+') ? version : `${version}+0`, baud, dir });
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
