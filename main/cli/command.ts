import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Exit codes of `siteflash`, documented in `siteflash --help`. */
export const EXIT = {
  /** The command did what was asked (for verify: the image is valid). */
  ok: 0,
  /** The command ran but the answer is negative or the operation failed (invalid image, device error). */
  failed: 1,
  /** The command line is wrong (unknown command, missing or bad option). */
  usage: 2,
  /** A device, port or file could not be reached. */
  unreachable: 3,
  /** A device was refused before anything was sent to it: by the selection rules (a downgrade without `--allow-downgrade`, a lower security counter), the site's list, or the image checks (another board, a hash type it does not list). */
  refused: 4,
  /** Interrupted (Ctrl-C). */
  interrupted: 130,
} as const;

/** What a command may use of the outside world; tests pass their own. */
export interface CliContext {
  out(text: string): void;
  err(text: string): void;
  /** `--json` was given: print one JSON document on stdout and nothing else there. */
  json: boolean;
  /** stdout is a terminal (progress bars are drawn only then). */
  isTTY: boolean;
  /** The app's data folder (trusted keys, bundles, journal). */
  dataDir: string;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
}

/** One `siteflash` sub-command. */
export interface Command {
  /** Words that select it, e.g. `ports` or `image list`. */
  name: string;
  summary: string;
  /** Usage line(s) after `siteflash `. */
  usage: string;
  /** More text for `siteflash COMMAND --help` (e.g. the command's exit codes). */
  help?: string;
  run(argv: string[], ctx: CliContext): Promise<number>;
}

/** A command-line mistake: printed with the usage, exit code {@link EXIT.usage}. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** `node:util` parseArgs, with its errors turned into {@link UsageError}. */
export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

/** Parses an option's whole-number value, at least `min`; anything else is a {@link UsageError}. */
export function wholeNumber(text: string, option: string, min = 1): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${option} must be a whole number of at least ${min}, not "${text}"`);
  return n;
}
