/**
 * `siteflash update --bundle ID --port PATH [--port PATH]... [--allow-downgrade] [--site NAME] [--technician NAME] [--no-confirm] [--json]`
 * starts a job through the core's services, as the app does (the same release selection: board,
 * hardware revision, no downgrade unless asked, security counter); `update IMAGE --port …` sends one
 * verified image under the same version rule; `siteflash update --resume` picks up unfinished jobs.
 */
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { boardOf } from '../../image/board-tag';
import type { ValidVerdict } from '../../image/types';
import type { DeviceDriver } from '../../jobs/driver';
import { SmpDriver } from '../../jobs/smp-driver';
import type { JobPolicy, JobSpec, JobTarget, ReleaseComponent } from '../../jobs/types';
import type { JobStartRequest } from '../../../preload/api';
import { Core } from '../../core';
import { argSchemas } from '../../schemas';
import { SecretStore } from '../../secrets/secret-store';
import { EXIT, parseOptions, UsageError, wholeNumber, type CliContext, type Command } from '../command';
import { askOnStdin, exitCodeOf, followJobs, jobSummary, runJobs, type AskYesNo } from '../job-terminal';
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
  bundle: { type: 'string' },
  'allow-downgrade': { type: 'boolean' },
} as const;

const USAGE =
  'update --bundle ID --port PATH [--port PATH]... [--allow-downgrade] [--site NAME] [--technician NAME] [--no-confirm] [--json] | update IMAGE --port PATH... [--allow-downgrade] … | update --resume [--json]';

const HELP = [
  'A device gets the release\'s image for its board and hardware revision. A device that runs a newer',
  'version than the release is left alone (nothing is sent) unless --allow-downgrade is given; an image',
  'whose security counter is lower than the device\'s is always refused.',
  '',
  'exit codes:',
  `  ${EXIT.ok}    every device is done (updated, or already up to date)`,
  `  ${EXIT.failed}    a device failed (or was rolled back or cancelled)`,
  `  ${EXIT.usage}    usage error`,
  `  ${EXIT.unreachable}    a port could not be reached`,
  `  ${EXIT.refused}    the selection rules refused a device and nothing else went wrong: a downgrade without --allow-downgrade, a lower security counter, a device the site's list locks or pins to a version the release lacks`,
  `  ${EXIT.interrupted}  interrupted (Ctrl-C)`,
].join('\n');

/** The `update` command over the given seams. */
export function makeUpdateCommand(deps: Partial<UpdateCommandDeps> = {}): Command {
  const d: UpdateCommandDeps = { verify: verifyWithKeyStore, driver: () => new SmpDriver(), ask: askOnStdin, ...deps };
  return {
    name: 'update',
    summary: 'Update devices on serial ports as one job (journaled; resumes with --resume)',
    usage: USAGE,
    help: HELP,
    run: async (argv, ctx) => {
      const { values, positionals } = parseOptions(argv, OPTIONS);
      if (values.bundle !== undefined) {
        if (values.resume || positionals.length > 0) throw new UsageError('--bundle takes no IMAGE and no --resume');
        return viaCore(values, values.bundle, d.ask, ctx);
      }
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

/** A stored release through the core's services: the request is checked as every adapter's is, and the job is the app's. */
async function viaCore(values: Values, bundleId: string, ask: AskYesNo, ctx: CliContext): Promise<number> {
  const parsed = argSchemas['job:start'].safeParse({ bundleId, targets: serialTargets(values), policy: policyOf(values) });
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; '));
  const core = new Core({ dataDir: ctx.dataDir, host: 'cli', logToFile: false });
  try {
    const started = await core.services.startJob(parsed.data, { ...(values.technician ? { technician: values.technician } : {}), ...(values.site ? { site: values.site } : {}) });
    const jobs = await followJobs(core.services.jobs, [started.id], ask, ctx);
    if (ctx.json) ctx.out(JSON.stringify({ jobs }, null, 2));
    else for (const job of jobs) ctx.out(jobSummary(job));
    return exitCodeOf(jobs, ctx);
  } finally {
    await core.close();
  }
}

async function specFrom(values: Values, positionals: string[], d: UpdateCommandDeps, ctx: CliContext): Promise<JobSpec> {
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError('give exactly one IMAGE file');
  const targets = serialTargets(values);
  const policy = policyOf(values);
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
    targets: targets.map((t) => ({ link: t.link as JobTarget['link'] })),
    policy,
    technician: values.technician ?? userInfo().username,
    ...(values.site ? { site: values.site } : {}),
  };
}
