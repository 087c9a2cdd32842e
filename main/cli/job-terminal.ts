/**
 * Runs batch jobs from a terminal (`rekey`; `update` and `gateway batch` follow jobs of the core with {@link followJobs}):
 * opens the journal, follows the jobs (progress, state lines, LED questions, Ctrl-C cancels),
 * prints one summary per job and turns the outcome into an exit code.
 */
import { createInterface } from 'node:readline/promises';
import { keychainNetKeys } from '../commission/net-key';
import type { DeviceDriver } from '../jobs/driver';
import { JobsService } from '../jobs/jobs-service';
import { stateLine, TtyProgressView } from '../jobs/progress-view';
import type { JobSnapshot } from '../jobs/types';
import type { SecretStore } from '../secrets/secret-store';
import { openDatabase } from '../store/database';
import { lockJob } from '../store/lock-file';
import { EXIT, type CliContext } from './command';
import { terminalSafe } from './terminal-text';

/** Asks the technician a yes/no question (LED checkpoints). */
export type AskYesNo = (question: string, ctx: CliContext) => Promise<boolean>;

/** What {@link runJobs} drives the jobs with. */
export interface JobSeams {
  driver: DeviceDriver;
  /** The keychain the engine takes network keys from (a resumed re-keying job needs it too). */
  secrets: SecretStore;
  ask: AskYesNo;
  /** Named to another process that finds a job of ours locked, e.g. `siteflash update --resume`. */
  program?: string;
}

/**
 * Opens the journal, calls `start` for the ids of the jobs to run (new or resumed), follows them
 * to the end and prints them. Exit ok when every device is done, failed otherwise, interrupted
 * after Ctrl-C; no ids prints that there was nothing to resume.
 */
export async function runJobs(ctx: CliContext, seams: JobSeams, start: (service: JobsService) => Promise<string[]> | string[]): Promise<number> {
  const { db } = openDatabase({ dataDir: ctx.dataDir });
  const service = new JobsService({
    db,
    driver: seams.driver,
    netKey: keychainNetKeys(seams.secrets),
    lockJob: (jobId) => lockJob(ctx.dataDir, jobId, seams.program ?? 'the siteflash command line'),
  });
  try {
    const ids = await start(service);
    if (ids.length === 0) {
      ctx.out(ctx.json ? JSON.stringify({ jobs: [] }) : 'No unfinished job to resume.');
      return EXIT.ok;
    }
    const jobs = await followJobs(service, ids, seams.ask, ctx);
    if (ctx.json) ctx.out(JSON.stringify({ jobs }, null, 2));
    else for (const job of jobs) ctx.out(jobSummary(job));
    return exitCodeOf(jobs, ctx);
  } finally {
    await service.close();
    db.close();
  }
}

/** Refusals by the selection rules and the fleet's rules (main/site): nothing was sent. */
// Refusals before anything was sent: by the selection rules, the site's list, or the image checks
// (another board; a hash type the device does not list).
const REFUSED = new Set(['downgrade', 'security-counter-lower', 'locked', 'pinned-version-missing', 'wrong-board', 'hash-not-listed']);

/** Every device done: ok; a device that failed otherwise than refused: failed; only refusals: refused; Ctrl-C: interrupted. */
export function exitCodeOf(jobs: JobSnapshot[], ctx: CliContext): number {
  if (ctx.signal.aborted) return EXIT.interrupted;
  const ends = jobs.flatMap((j) => j.devices).filter((x) => x.state !== 'done');
  if (ends.length === 0) return EXIT.ok;
  return ends.every((x) => x.state === 'failed' && REFUSED.has(x.reasonKind ?? '')) ? EXIT.refused : EXIT.failed;
}

/** Shows progress and state changes, asks the LED questions, cancels on Ctrl-C, and waits for the jobs to settle. */
export async function followJobs(service: JobsService, ids: string[], ask: AskYesNo, ctx: CliContext): Promise<JobSnapshot[]> {
  const views = new Map(ids.map((id) => [id, new TtyProgressView((l) => ctx.err(l))]));
  const live = ctx.isTTY && !ctx.json;
  const offs = [
    service.on('job:device-state', (e) => {
      if (live) views.get(e.jobId)?.draw(service.get(e.jobId));
      else if (!ctx.json) ctx.err(terminalSafe(stateLine(e)));
    }),
    service.on('job:progress', (e) => live && views.get(e.jobId)?.draw(service.get(e.jobId))),
    service.on('job:led-prompt', (p) => void ask(`${p.question} [y/n]`, ctx).catch(() => false).then((seen) => service.answerLed(p.jobId, p.deviceKey, seen))),
  ];
  const onAbort = () =>
    ids.forEach((id) => {
      try {
        service.cancel(id);
      } catch (err) {
        // Already ended, or stopped on a storage fault: nothing left to cancel; say why.
        ctx.err(`${id}: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.all(ids.map((id) => service.whenSettled(id)));
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    for (const off of offs) off();
  }
}

/** A job's state, counts per state (and, for network jobs, old/new/unknown), then one line per device. */
export function jobSummary(job: JobSnapshot): string {
  const n = job.network;
  const lines = [`Job ${job.id}: ${job.state} — ${Object.entries(job.counts).map(([s, c]) => `${c} ${s}`).join(', ')}${n ? `; on the new settings ${n.new}, on the old ${n.old}, unknown ${n.unknown}` : ''}`];
  if (job.halted) lines.push(`  Stopped: ${job.halted.message} (siteflash update --resume)`);
  for (const x of job.devices) lines.push(`  ${x.key}  ${x.state}${x.toVersion ? `  ${x.fromVersion ?? '?'} → ${x.toVersion}` : ''}${x.reason ? `  ${x.reason}` : ''}`);
  return lines.join('\n');
}

let questions: Promise<unknown> = Promise.resolve();

/** Asks on the terminal, one question at a time (answers `y` or `yes` count as seen). */
export function askOnStdin(question: string): Promise<boolean> {
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
