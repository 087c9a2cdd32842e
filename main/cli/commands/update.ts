/**
 * `siteflash update --bundle ID --port PATH [--port PATH]... [--allow-downgrade] [--site NAME] [--technician NAME] [--no-confirm] [--json]`
 * and `update IMAGE --port …` start a job through the core's services, as the app does (one way to
 * build a job: the same selection rules, journal, audit rows and History); `siteflash update
 * --resume` picks up unfinished jobs through the same services.
 */
import type { JobStartRequest } from '../../../preload/api';
import { Core } from '../../core';
import type { SmpDriverOptions } from '../../jobs/smp-driver';
import type { JobPolicy } from '../../jobs/types';
import { argSchemas } from '../../schemas';
import { EXIT, parseOptions, UsageError, wholeNumber, type CliContext, type Command } from '../command';
import { askOnStdin, exitCodeOf, followJobs, jobSummary, type AskYesNo } from '../job-terminal';

/** What `update` uses of the world; tests and the crash test's runner pass their own. */
export interface UpdateCommandDeps {
  /** Asks the technician a yes/no question (LED checkpoints). */
  ask: AskYesNo;
  /** The core's direct driver: timeouts, and links to simulated devices in tests. */
  smp?: SmpDriverOptions;
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
  bundle: { type: 'string' },
  'allow-downgrade': { type: 'boolean' },
} as const;

const USAGE =
  'update --bundle ID --port PATH [--port PATH]... [--allow-downgrade] [--site NAME] [--technician NAME] [--no-confirm] [--json] | update IMAGE --port PATH... [--allow-downgrade] … | update --resume [--json]';

const HELP = [
  'A device gets the release\'s image for its board and hardware revision (IMAGE: the image, if it is tagged',
  'for the device\'s board). A device that runs a newer version is left alone (nothing is sent) unless',
  '--allow-downgrade is given. IMAGE is verified with the trusted image keys first. Every device ends in',
  '`siteflash history` and the app\'s History, with its audit row.',
  '',
  'exit codes:',
  `  ${EXIT.ok}    every device is done (updated, or already up to date)`,
  `  ${EXIT.failed}    a device failed (or was rolled back or cancelled), or IMAGE did not verify`,
  `  ${EXIT.usage}    usage error`,
  `  ${EXIT.unreachable}    a port could not be reached`,
  `  ${EXIT.refused}    the selection rules refused a device and nothing else went wrong: a downgrade without --allow-downgrade, a lower security counter, a device the site's list locks or pins to a version the release lacks, an image for another board or with a hash type the device does not list`,
  `  ${EXIT.interrupted}  interrupted (Ctrl-C)`,
].join('\n');

/** The `update` command over the given seams. */
export function makeUpdateCommand(deps: Partial<UpdateCommandDeps> = {}): Command {
  const d: UpdateCommandDeps = { ask: askOnStdin, ...deps };
  return {
    name: 'update',
    summary: 'Update devices on serial ports as one job of the core (journaled, in History; resumes with --resume)',
    usage: USAGE,
    help: HELP,
    run: async (argv, ctx) => {
      const { values, positionals } = parseOptions(argv, OPTIONS);
      const who = { ...(values.technician ? { technician: values.technician } : {}), ...(values.site ? { site: values.site } : {}) };
      if (values.resume) {
        if (positionals.length > 0 || values.port || values.bundle !== undefined) throw new UsageError('--resume takes no IMAGE, --bundle or --port');
        // A job another process runs is left to it; the others resume. Say which were left.
        return viaCore(ctx, d, 'siteflash update --resume', async (core) =>
          core.services.jobs.resumeUnfinished((_id, err) => ctx.err(`siteflash update: ${err instanceof Error ? err.message : String(err)}`)),
        );
      }
      if (values.bundle !== undefined) {
        if (positionals.length > 0) throw new UsageError('--bundle takes no IMAGE and no --resume');
        const request = checked({ bundleId: values.bundle, targets: serialTargets(values), policy: policyOf(values) });
        return viaCore(ctx, d, 'siteflash update', async (core) => [(await core.services.startJob(request, who)).id]);
      }
      const file = positionals[0];
      if (!file || positionals.length > 1) throw new UsageError('give exactly one IMAGE file, or --bundle ID');
      const request = { targets: serialTargets(values), policy: policyOf(values) };
      return viaCore(ctx, d, 'siteflash update', async (core) => [(await core.services.startImageJob(file, request, who)).id]);
    },
  };
}

/** `update` over real serial ports. */
export const updateCommand: Command = makeUpdateCommand();

type Values = ReturnType<typeof parseOptions<typeof OPTIONS>>['values'];

function policyOf(values: Values): JobPolicy {
  const retries = values.retries === undefined ? 3 : wholeNumber(values.retries, '--retries', 0);
  return {
    ledConfirm: values['no-confirm'] !== true,
    retries,
    afterRejoin: values['leave-in-test'] ? 'leave-in-test' : 'confirm',
    ...(values['allow-downgrade'] ? { allowDowngrade: true } : {}),
  };
}

function serialTargets(values: Values): JobStartRequest['targets'] {
  const ports = values.port ?? [];
  if (ports.length === 0) throw new UsageError('give at least one --port PATH');
  const baudRate = values.baud === undefined ? undefined : wholeNumber(values.baud, '--baud');
  // Each port is named by itself: a development device on it counts as chosen one by one.
  return ports.map((path) => ({ link: { kind: 'serial', path, ...(baudRate ? { baudRate } : {}) }, oneByOne: true }));
}

/** The request checked as every adapter's is (`job:start`'s schema). */
function checked(request: JobStartRequest): JobStartRequest {
  const parsed = argSchemas['job:start'].safeParse(request);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; '));
  return parsed.data;
}

/** Opens the core on the data folder, starts (or resumes) jobs through its services, follows them to the end and prints them. */
async function viaCore(ctx: CliContext, d: UpdateCommandDeps, program: string, start: (core: Core) => Promise<string[]>): Promise<number> {
  const core = new Core({ dataDir: ctx.dataDir, host: 'cli', logToFile: false, jobs: { program, ...(d.smp ? { smp: d.smp } : {}) } });
  try {
    const ids = await start(core);
    if (ids.length === 0) {
      ctx.out(ctx.json ? JSON.stringify({ jobs: [] }) : 'No unfinished job to resume.');
      return EXIT.ok;
    }
    const jobs = await followJobs(core.services.jobs, ids, d.ask, ctx);
    if (ctx.json) ctx.out(JSON.stringify({ jobs }, null, 2));
    else for (const job of jobs) ctx.out(jobSummary(job));
    return exitCodeOf(jobs, ctx);
  } finally {
    await core.close();
  }
}
