/**
 * The `--port PATH [--baud N]` commands' common ground: their options, the serial link they name,
 * and an SMP session over that link for the length of one command.
 */
import { withLinkSession } from '../devices/link-session';
import type { SmpSession } from '../devices/session';
import { DEFAULT_BAUD_RATE, type LinkDescriptor } from '../links/factory';
import type { Link } from '../links/link';
import { parseOptions, UsageError, wholeNumber } from './command';
import { parseUdpAddress } from '../links/udp-link';

/** A command's own options, added to the port options. */
export type ExtraOptions = Record<string, { type: 'string' | 'boolean' }>;

/** Parsed option values, loosely typed: each command reads its own. */
export type OptionValues = Record<string, string | boolean | undefined>;

/** The usage text of the port options. */
export const PORT_USAGE = '--port PATH|udp:HOST[:PORT] [--baud N]';

/** A parsed port command line. */
export interface PortArgs {
  values: OptionValues;
  positionals: string[];
  /** The serial link `--port` and `--baud` name (`--port` is required). */
  descriptor: LinkDescriptor;
}

/** Parses `--port PATH [--baud N]` plus `extra`; a missing port or bad baud rate is a usage error. */
export function parsePortArgs(argv: string[], extra: ExtraOptions): PortArgs {
  const parsed = parseOptions(argv, { port: { type: 'string' }, baud: { type: 'string' }, ...extra });
  const values = parsed.values as OptionValues;
  const path = values.port;
  if (typeof path !== 'string' || path === '') throw new UsageError('--port PATH is required');
  if (path.startsWith('udp:')) {
    // SMP over UDP (smp.md §8): `--port udp:HOST[:PORT]`, port 1337 by default.
    const udp = parseUdpAddress(path);
    if (!udp) throw new UsageError(`--port ${path}: write udp:HOST or udp:HOST:PORT (e.g. udp:192.0.2.7:1337)`);
    return { values, positionals: parsed.positionals, descriptor: { kind: 'udp', ...udp } };
  }
  const baudRate = values.baud === undefined ? DEFAULT_BAUD_RATE : wholeNumber(String(values.baud), '--baud');
  return { values, positionals: parsed.positionals, descriptor: { kind: 'serial', path, baudRate } };
}

/** Opens `link` for the command, runs `body` over one SMP session, then closes it again. */
export function withSession<T>(link: Link, signal: AbortSignal, body: (session: SmpSession) => Promise<T>): Promise<T> {
  return withLinkSession(link, body, { signal });
}
