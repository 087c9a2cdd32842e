/**
 * `siteflash update IMAGE --port PATH [--port PATH]... [--site NAME] [--technician NAME] [--no-confirm] [--json]`
 * runs a batch update job over serial ports; `siteflash update --resume` picks up unfinished jobs.
 */
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { boardOf } from '../../image/board-tag';
import type { ValidVerdict } from '../../image/types';
import type { DeviceDriver } from '../../jobs/driver';
import { SmpDriver } from '../../jobs/smp-driver';
import type { JobSpec, ReleaseComponent } from '../../jobs/types';
import { SecretStore } from '../../secrets/secret-store';
import { parseOptions, UsageError, wholeNumber, type CliContext, type Command } from '../command';
import { askOnStdin, runJobs, type AskYesNo } from '../job-terminal';
import { verifyWithKeyStore } from '../verify-with-key-store';

/** What `update` uses of the world; tests and the crash test's runner pass their own. */
export interface UpdateCommandDeps {
  verify(path: string, ctx: CliContext): Promise<ValidVerdict>;
  driver(ctx: CliContext): DeviceDriver;
  /** Asks the technician a yes/no question (LED checkpoints). */
  ask: AskYesNo;
}

const OPTIONS = {
  port: { type: 'string', multiple: true },
  baud: { type: 'string' },
  site: { type: 'string' },
  technician: { type: 'string' },
  'no-confirm': { type: 'boolean' },
  'leave-in-test': { type: 'boolean' },
  retries: { type: 'string' },
  resume: { type: 'boolean' },
} as const;

const USAGE = 'update IMAGE --port PATH [--port PATH]... [--site NAME] [--technician NAME] [--no-confirm] [--json] | update --resume [--json]';

/** The `update` command over the given seams. */
export function makeUpdateCommand(deps: Partial<UpdateCommandDeps> = {}): Command {
  const d: UpdateCommandDeps = { verify: verifyWithKeyStore, driver: () => new SmpDriver(), ask: askOnStdin, ...deps };
  return {
    name: 'update',
    summary: 'Update devices on serial ports as one job (journaled; resumes with --resume)',
    usage: USAGE,
    run: async (argv, ctx) => {
      const { values, positionals } = parseOptions(argv, OPTIONS);
      // The key source too: --resume may pick up an unfinished re-keying job.
      const program = values.resume ? 'siteflash update --resume' : 'siteflash update';
      return runJobs(ctx, { driver: d.driver(ctx), secrets: new SecretStore(), ask: d.ask, program }, async (service) => {
        if (!values.resume) return [service.start(await specFrom(values, positionals, d, ctx))];
        if (positionals.length > 0 || values.port) throw new UsageError('--resume takes no IMAGE or --port');
        // A job another process runs is left to it; the others resume. Say which were left.
        return service.resumeUnfinished((_id, err) => ctx.err(`siteflash update: ${err instanceof Error ? err.message : String(err)}`));
      });
    },
  };
}

/** `update` over real serial ports. */
export const updateCommand: Command = makeUpdateCommand();

type Values = ReturnType<typeof parseOptions<typeof OPTIONS>>['values'];

async function specFrom(values: Values, positionals: string[], d: UpdateCommandDeps, ctx: CliContext): Promise<JobSpec> {
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError('give exactly one IMAGE file');
  const ports = values.port ?? [];
  if (ports.length === 0) throw new UsageError('give at least one --port PATH');
  const baudRate = values.baud === undefined ? undefined : wholeNumber(values.baud, '--baud');
  const retries = values.retries === undefined ? 3 : wholeNumber(values.retries, '--retries', 0);
  const verdict = await d.verify(file, ctx);
  const component: ReleaseComponent = {
    board: boardOf(verdict.image),
    version: verdict.image.version,
    path: resolve(file),
    size: verdict.fileSize,
    sha256: verdict.fileSha256,
    imageHash: verdict.image.hash,
    ...(verdict.image.securityCounter === null ? {} : { securityCounter: verdict.image.securityCounter }),
  };
  return {
    release: { kind: 'image', name: file, components: [component] },
    targets: ports.map((path) => ({ link: { kind: 'serial', path, ...(baudRate ? { baudRate } : {}) } })),
    policy: { ledConfirm: values['no-confirm'] !== true, retries, afterRejoin: values['leave-in-test'] ? 'leave-in-test' : 'confirm' },
    technician: values.technician ?? userInfo().username,
    ...(values.site ? { site: values.site } : {}),
  };
}
