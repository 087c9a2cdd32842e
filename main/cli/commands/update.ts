import { keychainNetKeys } from '../../commission/net-key';
import { SecretStore } from '../../secrets/secret-store';
/**
 * `siteflash update IMAGE --port PATH [--port PATH]... [--site NAME] [--technician NAME] [--no-confirm] [--json]`
 * runs a batch update job over serial ports; `siteflash update --resume` picks up unfinished jobs.
 */
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { boardOf } from '../../image/board-tag';
import { keyStoreFor } from '../../image/key-store';
import type { ValidVerdict } from '../../image/types';
import { verifyImageFile } from '../../image/verify-file';
import type { DeviceDriver } from '../../jobs/driver';
import { JobsService } from '../../jobs/jobs-service';
import { stateLine, TtyProgressView } from '../../jobs/progress-view';
import { SmpDriver } from '../../jobs/smp-driver';
import type { JobSnapshot, JobSpec, LedPrompt, ReleaseComponent } from '../../jobs/types';
import { openDatabase } from '../../store/database';
import { EXIT, parseOptions, UsageError, type CliContext, type Command } from '../command';

/** What `update` uses of the world; tests and the crash test's runner pass their own. */
export interface UpdateCommandDeps {
  verify(path: string, ctx: CliContext): Promise<ValidVerdict>;
  driver(ctx: CliContext): DeviceDriver;
  /** Asks the technician a yes/no question (LED checkpoints). */
  ask(question: string, ctx: CliContext): Promise<boolean>;
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
      const { db } = openDatabase({ dataDir: ctx.dataDir });
      // The key source too: --resume may pick up an unfinished re-keying job.
      const service = new JobsService({ db, driver: d.driver(ctx), netKey: keychainNetKeys(new SecretStore()) });
      try {
        let ids: string[];
        if (values.resume) {
          if (positionals.length > 0 || values.port) throw new UsageError('--resume takes no IMAGE or --port');
          ids = service.resumeUnfinished();
          if (ids.length === 0) {
            ctx.out(ctx.json ? JSON.stringify({ jobs: [] }) : 'No unfinished job to resume.');
            return EXIT.ok;
          }
        } else {
          const spec = await specFrom(values, positionals, d, ctx);
          ids = [service.start(spec)];
        }
        const jobs = await follow(service, ids, d, ctx);
        if (ctx.json) ctx.out(JSON.stringify({ jobs }, null, 2));
        else for (const job of jobs) ctx.out(summary(job));
        if (ctx.signal.aborted) return EXIT.interrupted;
        return jobs.every((j) => j.devices.every((x) => x.state === 'done')) ? EXIT.ok : EXIT.failed;
      } finally {
        await service.close();
        db.close();
      }
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
  const baudRate = values.baud === undefined ? undefined : positiveInt(values.baud, '--baud');
  const retries = values.retries === undefined ? 3 : positiveInt(values.retries, '--retries', 0);
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

/** Shows progress and state changes, asks the LED questions, cancels on Ctrl-C, and waits for the jobs to settle. */
async function follow(service: JobsService, ids: string[], d: UpdateCommandDeps, ctx: CliContext): Promise<JobSnapshot[]> {
  const views = new Map(ids.map((id) => [id, new TtyProgressView((l) => ctx.err(l))]));
  const live = ctx.isTTY && !ctx.json;
  const offs = [
    service.on('job:device-state', (e) => {
      if (live) views.get(e.jobId)?.draw(service.get(e.jobId));
      else if (!ctx.json) ctx.err(stateLine(e));
    }),
    service.on('job:progress', (e) => live && views.get(e.jobId)?.draw(service.get(e.jobId))),
    service.on('job:led-prompt', (p: LedPrompt) => void answer(service, p, d, ctx)),
  ];
  const onAbort = () => ids.forEach((id) => service.cancel(id));
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.all(ids.map((id) => service.whenSettled(id)));
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    for (const off of offs) off();
  }
}

async function answer(service: JobsService, p: LedPrompt, d: UpdateCommandDeps, ctx: CliContext): Promise<void> {
  const seen = await d.ask(`${p.question} [y/n]`, ctx).catch(() => false);
  service.answerLed(p.jobId, p.deviceKey, seen);
}

let questions: Promise<unknown> = Promise.resolve();

/** Asks on the terminal, one question at a time. */
function askOnStdin(question: string): Promise<boolean> {
  const next = questions.then(async () => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return /^y(es)?$/i.test((await rl.question(`${question} `)).trim());
    } finally {
      rl.close();
    }
  });
  questions = next.catch(() => undefined);
  return next;
}

function summary(job: JobSnapshot): string {
  const lines = [`Job ${job.id}: ${job.state} — ${Object.entries(job.counts).map(([s, n]) => `${n} ${s}`).join(', ')}`];
  for (const x of job.devices) lines.push(`  ${x.key}  ${x.state}${x.toVersion ? `  ${x.fromVersion ?? '?'} → ${x.toVersion}` : ''}${x.reason ? `  ${x.reason}` : ''}`);
  return lines.join('\n');
}

async function verifyWithKeyStore(path: string, ctx: CliContext): Promise<ValidVerdict> {
  const keys = await keyStoreFor(ctx.dataDir).keys('image');
  const verdict = await verifyImageFile(path, keys, { signal: ctx.signal });
  if (!verdict.valid) throw Object.assign(new Error(`${path} was not sent: ${verdict.message}`), { kind: `image-${verdict.category}` });
  return verdict;
}

function positiveInt(text: string, option: string, min = 1): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${option} must be a whole number of at least ${min}, not "${text}"`);
  return n;
}
