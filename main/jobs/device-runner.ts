import type { NetKeySource } from '../commission/net-key';
import { sleep, type Clock } from '../links/clock';
import type { DevicePatch, DeviceRow, JobJournal } from '../store/journal';
import { fullJitterDelay } from '../sync/backoff';
import type { DeviceControl } from './control';
import type { DeviceConnection, DeviceDriver, DeviceFacts, JobImage } from './driver';
import { NOT_SWAPPED_TEXT } from '../devices/update-flow';
import { classify, JobError, type JobErrorKind } from './errors';
import type { JobImages } from './job-images';
import { answeredBefore, ledQuestion, type LedCheckpoints } from './led-checkpoints';
import type { ProgressCoalescer } from './progress';
import { advanceNetwork } from './network-flow';
import type { LinkScheduler } from './scheduler';
import { chooseComponent } from './select-component';
import { withChosenId } from './chosen-id';
import { isEnd } from './state-machine';
import { isStorageFault } from '../store/storage-fault';
import { gateByRule } from '../site/fleet-rules';
import type { DeviceState, DeviceStateEvent, JobSpec, JobTarget } from './types';

/** Default backoff between retries of one device. */
export const DEFAULT_RETRY_BACKOFF = { baseMs: 500, capMs: 10_000 };
/** Default time a device may take to come back after its reset. */
export const DEFAULT_REJOIN_TIMEOUT_MS = 120_000;

/** What one device's run uses; all of it belongs to the job or the service. */
export interface RunnerContext {
  jobId: string;
  key: string;
  target: JobTarget;
  spec: JobSpec;
  journal: JobJournal;
  driver: DeviceDriver;
  scheduler: LinkScheduler;
  leds: LedCheckpoints;
  progress: ProgressCoalescer;
  images: JobImages;
  clock: Clock;
  rng: () => number;
  control: DeviceControl;
  /** Epoch ms, for LED answers. */
  wallNow: () => number;
  /** Called after the journal committed a state change. */
  emit(event: DeviceStateEvent): void;
  /** Network jobs: the project's network key, fetched from the keychain when a device needs it. */
  netKey?: NetKeySource;
}

/**
 * Runs one device of a job through the state machine until it ends (or the service shuts down),
 * starting from whatever state the journal holds — so the same code starts, resumes after a crash,
 * and retries. Transient failures are retried with backoff on a new connection; the transfer then
 * resumes from the offset the device reports. The install phase uses the hard signal only.
 */
export async function runDevice(ctx: RunnerContext): Promise<void> {
  const { control } = ctx;
  for (;;) {
    let row = current(ctx);
    if (isEnd(row.state) || control.shuttingDown) return;
    const installing = row.state === 'installing';
    if (control.cancelRequested && !installing) return move(ctx, 'cancelled', { reason: cancelReason(row.state), reasonKind: 'cancelled' });
    if (control.paused && !installing) {
      await control.whilePaused();
      continue;
    }
    // A device the fleet rules leave alone, known by id before connecting, is not even connected to.
    if (row.state === 'discovered' && ctx.target.expectedDeviceId !== undefined && endByRule(ctx, ctx.target.expectedDeviceId)) return;
    control.renew();
    const signal = installing ? control.hardSignal : control.signal;
    let release: (() => void) | undefined;
    let conn: DeviceConnection | undefined;
    try {
      release = await ctx.scheduler.acquire(ctx.target.link, signal);
      conn = await ctx.driver.connect(ctx.target, signal);
      await (ctx.spec.kind === 'network' ? advanceNetwork(ctx, conn) : advance(ctx, conn));
      return;
    } catch (err) {
      ctx.progress.idle(ctx.key);
      // The journal could not be written: not the device's fault, and nothing more can be recorded. The service stops the job.
      if (isStorageFault(err)) throw err;
      row = current(ctx);
      if (isEnd(row.state) || control.shuttingDown) return;
      const interrupted = (control.cancelRequested || control.paused) && row.state !== 'installing';
      if (interrupted) continue;
      const c = classify(err);
      if (c.transient && row.retries < ctx.spec.policy.retries) {
        ctx.journal.record(ctx.jobId, ctx.key, 'retry', { kind: c.kind, message: c.message, state: row.state, retry: row.retries + 1 }, { retries: row.retries + 1 });
        await conn?.close().catch(() => undefined);
        conn = undefined;
        release?.();
        release = undefined;
        const delay = fullJitterDelay(row.retries, ctx.spec.policy.backoff ?? DEFAULT_RETRY_BACKOFF, ctx.rng);
        await sleep(ctx.clock, delay, row.state === 'installing' ? control.hardSignal : control.signal).catch(() => undefined);
        continue;
      }
      return move(ctx, 'failed', { reason: c.message, reasonKind: c.kind });
    } finally {
      await conn?.close().catch(() => undefined);
      release?.();
    }
  }
}

/** Runs the phases from the journal's state to an end. Throws on any failure (the caller sorts it). */
async function advance(ctx: RunnerContext, conn: DeviceConnection): Promise<void> {
  const { control, spec } = ctx;
  const start = current(ctx);
  // A device whose reset was already sent (before a restart) may still be swapping: wait for it as after a reset.
  let facts =
    start.state === 'installing' && start.installStep === 'reset-sent'
      ? await conn.awaitRejoin(spec.policy.rejoinTimeoutMs ?? DEFAULT_REJOIN_TIMEOUT_MS, control.hardSignal)
      : await conn.identify(start.state === 'installing' ? control.hardSignal : control.signal);
  for (let row = current(ctx); !isEnd(row.state); row = current(ctx)) {
    if (row.state !== 'installing') control.signal.throwIfAborted();
    switch (row.state) {
      case 'discovered': {
        const expected = ctx.target.expectedDeviceId;
        if (expected && facts.deviceId && facts.deviceId !== expected) {
          throw new JobError('wrong-device', `Expected device ${expected} on ${conn.linkId}, found ${facts.deviceId}.`);
        }
        // The fleet rules, for a device known only now that it said who it is; before any question or byte.
        if (facts.deviceId !== undefined && endByRule(ctx, facts.deviceId, { deviceId: facts.deviceId, board: facts.board ?? null, fromVersion: runningVersion(facts) })) return;
        // A device with nothing to receive is not asked (nor recorded as answering) the update-mode LED question.
        const choice = chooseComponent(spec.release, facts, selectOptions(ctx, facts.deviceId));
        const nothingToSend = !choice.ok && choice.upToDate;
        if (spec.policy.ledConfirm && !nothingToSend && ctx.target.role !== 'gateway') await checkpoint(ctx, conn, 'update-mode');
        move(ctx, 'in-update-mode', { deviceId: facts.deviceId ?? null, board: facts.board ?? null, fromVersion: runningVersion(facts) });
        break;
      }
      case 'in-update-mode': {
        const choice = chooseComponent(spec.release, facts, selectOptions(ctx, facts.deviceId));
        if (!choice.ok && !choice.upToDate) throw new JobError(refusalKind(choice.kind), choice.message);
        if (!choice.ok) {
          move(ctx, 'verified', { toVersion: runningVersion(facts) });
          move(ctx, 'done', { reason: `${choice.message} Nothing was sent.`, reasonKind: 'already-up-to-date' });
          break;
        }
        const c = choice.component;
        move(ctx, 'verified', { toVersion: c.version, imageSha256: c.sha256, imageHash: c.imageHash });
        break;
      }
      case 'verified': {
        const active = facts.slots.find((s) => s.active);
        if (active && active.hash === row.imageHash) {
          move(ctx, 'done', { reason: `The device already ran ${row.toVersion ?? 'this image'}; nothing was sent.`, reasonKind: 'already-up-to-date' });
          break;
        }
        const staged = facts.slots.some((s) => !s.active && s.hash === row.imageHash);
        move(ctx, staged ? 'installing' : 'transferring', {}, staged ? { note: 'The image is already in the second slot.' } : {});
        break;
      }
      case 'transferring': {
        const image = await imageOf(ctx, row);
        const result = await conn.transfer(image, (bytes, total, rate) => ctx.progress.update(ctx.key, bytes, total, rate), control.signal);
        ctx.progress.idle(ctx.key);
        move(ctx, 'installing', { installStep: null }, { resumedFrom: result.resumedFrom, total: result.total, ...(result.warnings ? { warnings: result.warnings } : {}) });
        break;
      }
      case 'installing':
        facts = await install(ctx, conn, row, facts);
        break;
      case 'rejoined': {
        if (spec.policy.ledConfirm && ctx.target.role !== 'gateway') await checkpoint(ctx, conn, 'joined');
        if (spec.policy.afterRejoin === 'confirm') await conn.confirm(control.signal);
        move(ctx, 'done', spec.policy.afterRejoin === 'confirm' ? {} : { reason: 'Left in test as the job asked: the device reverts at its next reset unless confirmed.', reasonKind: 'left-in-test' });
        break;
      }
    }
  }
}

/**
 * `installing`: re-checked by image state first, so that after a restart a device is never
 * flashed again — already running the new image: rejoined; reset sent and the image no longer
 * pending: rolled back; otherwise test-mark (if not yet pending) and reset, then wait for it.
 */
async function install(ctx: RunnerContext, conn: DeviceConnection, row: DeviceRow, facts: DeviceFacts): Promise<DeviceFacts> {
  const hard = ctx.control.hardSignal;
  if (facts.slots.find((s) => s.active)?.hash === row.imageHash) {
    move(ctx, 'rejoined', {}, { recheck: true });
    return facts;
  }
  const pending = facts.slots.some((s) => s.pending && s.hash === row.imageHash);
  if (row.installStep === 'reset-sent' && !pending) {
    afterReset(ctx, conn, row, facts);
    return facts;
  }
  if (!pending) {
    await conn.markTest(await imageOf(ctx, row), hard);
    ctx.journal.record(ctx.jobId, ctx.key, 'install-step', { step: 'test-marked' }, { installStep: 'test-marked' });
  }
  // Journaled before it is sent: a restart after this line re-checks instead of resetting blindly.
  ctx.journal.record(ctx.jobId, ctx.key, 'install-step', { step: 'reset-sent' }, { installStep: 'reset-sent' });
  await conn.reset(hard);
  const after = await conn.awaitRejoin(ctx.spec.policy.rejoinTimeoutMs ?? DEFAULT_REJOIN_TIMEOUT_MS, hard);
  afterReset(ctx, conn, row, after);
  return after;
}

/**
 * What the device shows after its reset: the new image running (or, on MCUboot serial recovery,
 * written into slot 0 with no flags to say more) is rejoined; the new image still pending did not
 * swap; the old image running with nothing pending is the only rollback.
 */
function afterReset(ctx: RunnerContext, conn: DeviceConnection, row: DeviceRow, after: DeviceFacts): void {
  // Nothing the device says after the reset is recorded unless it is the device that was reset.
  if (row.deviceId && after.deviceId !== row.deviceId) {
    throw new JobError('wrong-device', `Another device answered on ${conn.linkId} after the reset (expected ${row.deviceId}, found ${after.deviceId ?? 'a device that does not say who it is'}); nothing was recorded for it.`);
  }
  const active = after.slots.find((s) => s.active === true);
  const held = after.slots.find((s) => s.hash === row.imageHash);
  const version = row.toVersion ?? 'the new image';
  if (active?.hash === row.imageHash) move(ctx, 'rejoined', {}, { version: runningVersion(after) });
  else if (!active && held?.slot === 0 && held.active === null) move(ctx, 'rejoined', {}, { version: held.version, note: 'installed by the bootloader' });
  else if (held?.pending === true) {
    move(ctx, 'failed', { reason: `${version} ${NOT_SWAPPED_TEXT}: it is still pending and the device runs ${runningVersion(after) ?? 'its old image'}.`, reasonKind: 'not-swapped' });
  } else if (active) move(ctx, 'rolled-back', { reason: `The device came back running ${runningVersion(after) ?? 'its old image'}: MCUboot did not keep ${version}.`, reasonKind: 'rolled-back' });
  else move(ctx, 'failed', { reason: `After the reset the device does not say which image runs; whether ${version} was installed is unknown.`, reasonKind: 'image-state-unknown' });
}

/**
 * Shows the pattern when the device can, asks the technician, records the answer; a "no" fails the
 * device. An update-mode answer the technician already gave on Collect is recorded without asking.
 */
async function checkpoint(ctx: RunnerContext, conn: DeviceConnection, pattern: 'update-mode' | 'joined'): Promise<void> {
  const row = current(ctx);
  const before = pattern === 'update-mode' ? answeredBefore(ctx.target, row.attempt, ctx.wallNow()) : null;
  let seen: boolean;
  if (before) seen = before.seen;
  else {
    // Devices show update-mode and joined on their own; asking the field group again only helps the technician see it.
    await conn.showLed(pattern, ctx.control.signal).catch(() => false);
    seen = await ctx.leds.ask({ jobId: ctx.jobId, deviceKey: ctx.key, pattern, question: ledQuestion(pattern, ctx.key) }, ctx.control.signal);
  }
  const answers = [...current(ctx).ledAnswers, before ?? { pattern, seen, at: ctx.wallNow() }];
  ctx.journal.record(ctx.jobId, ctx.key, 'led', before ? { pattern, seen, answeredOn: 'collect' } : { pattern, seen }, { ledAnswers: answers });
  if (seen) return;
  throw new JobError(
    'led-not-confirmed',
    pattern === 'update-mode'
      ? 'The technician did not see the update-mode LED: the device may not be the one in update mode. Nothing was sent.'
      : 'The technician did not see the joined LED after the restart; the new image was not confirmed and reverts at the next reset.',
  );
}

async function imageOf(ctx: RunnerContext, row: DeviceRow): Promise<JobImage> {
  const c = ctx.spec.release.components.find((x) => x.sha256 === row.imageSha256);
  if (!c) throw new JobError('bad-image', 'The journal names an image that is not part of this job.');
  return ctx.images.get(c);
}

/** The selection's refusals the technician acts on keep their own kind; the rest are "no image for this device". */
function refusalKind(kind: string): JobErrorKind {
  return kind === 'wrong-board' || kind === 'downgrade' || kind === 'security-counter-lower' || kind === 'pinned-version-missing' ? kind : 'no-image-for-device';
}

/** The fleet rule of a device of this job, by its id (the catalog's ids are lower-case EUI-64). */
function ruleOf(ctx: RunnerContext, deviceId: string | undefined) {
  return deviceId === undefined ? undefined : ctx.spec.rules?.[deviceId.toLowerCase()];
}

/** The selection options of a device: the job's downgrade choice and the device's pin. */
function selectOptions(ctx: RunnerContext, deviceId: string | undefined) {
  const pin = ruleOf(ctx, deviceId ?? ctx.target.expectedDeviceId)?.pinnedVersion;
  return { allowDowngrade: ctx.spec.policy.allowDowngrade === true, ...(pin !== undefined ? { pinnedVersion: pin } : {}) };
}

/** Ends a device its fleet rule leaves alone (locked: failed with the reason; development not chosen one by one: left as it is). */
function endByRule(ctx: RunnerContext, deviceId: string, known: DevicePatch = {}): boolean {
  const gate = gateByRule(ruleOf(ctx, deviceId), ctx.target.oneByOne === true);
  if (!gate) return false;
  move(ctx, gate.end, { ...known, reason: gate.message, reasonKind: gate.kind });
  return true;
}

function cancelReason(state: DeviceState): string {
  return state === 'rejoined'
    ? 'Cancelled by the technician after the install: the new image runs on trial and reverts at the next reset unless confirmed.'
    : 'Cancelled by the technician.';
}

function runningVersion(facts: DeviceFacts): string | null {
  return facts.version ?? facts.slots.find((s) => s.active)?.version ?? null;
}

function current(ctx: RunnerContext): DeviceRow {
  const row = ctx.journal.device(ctx.jobId, ctx.key);
  if (!row) throw new JobError('job-device-not-found', `Job ${ctx.jobId} has no device ${ctx.key}.`);
  return row;
}

/** Commits the transition, then tells the listeners. */
function move(ctx: RunnerContext, to: DeviceState, patch: DevicePatch = {}, detail: Record<string, unknown> = {}): void {
  const { seq, from, row } = ctx.journal.transition(ctx.jobId, ctx.key, to, isEnd(to) ? withChosenId(current(ctx), ctx.target, to, patch) : patch, detail);
  if (isEnd(to)) ctx.progress.idle(ctx.key);
  ctx.emit({ jobId: ctx.jobId, deviceKey: ctx.key, from, to, reason: row.reason, reasonKind: row.reasonKind, seq });
}
