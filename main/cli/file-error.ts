import { SiteflashError } from '../errors';
import { EXIT, type CliContext } from './command';

/**
 * Reports why `file` could not be read through (missing, unreadable, changed, cancelled): one JSON
 * document `{ file, error }` on stdout with `json`, the message on stderr otherwise. Returns the
 * exit code (interrupted when cancelled, unreachable otherwise); anything but a
 * {@link SiteflashError} is a bug and is thrown on.
 */
export function reportFileError(err: unknown, file: string, json: boolean, ctx: CliContext): number {
  if (!(err instanceof SiteflashError)) throw err;
  if (json) ctx.out(JSON.stringify({ file, error: err.toValue() }, null, 2));
  else ctx.err(err.message);
  return err.kind === 'aborted' ? EXIT.interrupted : EXIT.unreachable;
}
