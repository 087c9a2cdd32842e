import { decodeChannel, decodeSecurity, NET_SETTING, networkWrites, settingsText, type NetworkSettings } from '../commission/net-settings';
import { SiteflashError } from '../errors';
import { sleep } from '../links/clock';
import type { DevicePatch, DeviceRow } from '../store/journal';
import type { RunnerContext } from './device-runner';
import type { DeviceConnection, DeviceFacts } from './driver';
import { withChosenId } from './chosen-id';
import { isEnd } from './state-machine';
import type { DeviceState, JobNetwork } from './types';

/** Default time a device may take to rejoin after its reset (as for firmware). */
const NETWORK_REJOIN_TIMEOUT_MS = 120_000;
/**
 * Wait after the reset answer before asking again: the answer goes out *before* the device resets
 * (smp.md §3.1, reset; Zephyr waits 250 ms by default), and until then identity still answers
 * from the old boot, with the committed PAN — which would look like a rejoin that never happened.
 */
export const NETWORK_RESET_SETTLE_MS = 1000;
/** A device that comes back on its old PAN after `save` gets its settings written again this many times. */
export const NETWORK_REWRITES = 1;

/**
 * A `network` job's flow for one device (README.md "Network jobs"), from whatever state the
 * journal holds: `discovered` (identity, old settings) → `in-update-mode` (passed at once:
 * settings need no update mode) → `verified` (the device can take the settings) → `transferring`
 * (settings written) → `installing` (commit + save, then reset; sub-steps `test-marked` = saved,
 * `reset-sent`) → `rejoined` (identity shows the new PAN; LED `joined` confirmed) → `done`.
 * The network key is fetched from the key source for each write and handed to the device only.
 */
export async function advanceNetwork(ctx: RunnerContext, conn: DeviceConnection): Promise<void> {
  const net = networkOf(ctx);
  const { control } = ctx;
  const start = current(ctx);
  let facts = start.state === 'installing' && start.installStep === 'reset-sent' ? await rejoin(ctx, conn, net) : await conn.identify(start.state === 'installing' ? control.hardSignal : control.signal);
  seen(ctx, facts);
  let written = false;
  for (let row = current(ctx); !isEnd(row.state); row = current(ctx)) {
    if (row.state !== 'installing') control.signal.throwIfAborted();
    switch (row.state) {
      case 'discovered': {
        const expected = ctx.target.expectedDeviceId;
        if (expected && facts.deviceId && facts.deviceId !== expected) throw new SiteflashError('wrong-device', `Expected device ${expected} on ${conn.linkId}, found ${facts.deviceId}. Nothing was written.`);
        if (!facts.deviceId) throw new SiteflashError('no-field-group', `The device on ${conn.linkId} has no field group, so siteflash cannot see which network it joins and does not re-key it. Nothing was written.`);
        const old = await oldSettings(conn, facts, control.signal);
        move(ctx, 'in-update-mode', { deviceId: facts.deviceId, board: facts.board ?? null, fromVersion: settingsText(old) }, { phase: 'network', note: 'Network settings need no update mode.' });
        break;
      }
      case 'in-update-mode':
        settingsOps(ctx, conn);
        move(ctx, 'verified', { toVersion: settingsText(net) });
        break;
      case 'verified':
        move(ctx, 'transferring');
        break;
      case 'transferring':
        await write(ctx, conn, net, control.signal);
        written = true;
        move(ctx, 'installing', { installStep: null });
        break;
      case 'installing':
        facts = await install(ctx, conn, net, row, facts, written);
        break;
      case 'rejoined':
        if (ctx.spec.policy.ledConfirm) await joinedCheckpoint(ctx);
        move(ctx, 'done');
        break;
    }
  }
}

/**
 * `installing`: commit + save (unless the journal says saved), then reset and wait for the rejoin.
 * After a restart nothing is re-written blindly: a device journaled as saved is re-checked by
 * identity (after a power loss it already runs the new PAN) and only reset; one that answers with
 * another PAN after save gets the settings again, {@link NETWORK_REWRITES} time(s), then needs attention.
 */
async function install(ctx: RunnerContext, conn: DeviceConnection, net: JobNetwork, row: DeviceRow, facts: DeviceFacts, written: boolean): Promise<DeviceFacts> {
  const hard = ctx.control.hardSignal;
  let step = row.installStep;
  let after = facts;
  for (;;) {
    if (step !== 'reset-sent') {
      // Written values live in RAM until saved: a new connection cannot know they survived.
      const rewrite = step === null ? !written : after.pan !== net.panId;
      if (rewrite) await write(ctx, conn, net, hard);
      await settingsOps(ctx, conn).commitSave(hard);
      ctx.journal.record(ctx.jobId, ctx.key, 'install-step', { step: 'saved' }, { installStep: 'test-marked' });
      // Journaled before it is sent: a restart after this line re-checks instead of resetting blindly.
      ctx.journal.record(ctx.jobId, ctx.key, 'install-step', { step: 'reset-sent' }, { installStep: 'reset-sent' });
      await conn.reset(hard);
      await sleep(ctx.clock, NETWORK_RESET_SETTLE_MS, hard);
      after = await rejoin(ctx, conn, net);
      seen(ctx, after);
    }
    if (after.pan === net.panId) {
      move(ctx, 'rejoined', {}, { pan: after.pan, led: after.led ?? null });
      return after;
    }
    const attempt = current(ctx).attempt;
    const rewrites = ctx.journal.events(ctx.jobId).filter((e) => e.deviceKey === ctx.key && e.kind === 'network-rewrite' && e.detail.attempt === attempt).length;
    if (rewrites >= NETWORK_REWRITES) throw notRejoined(net, after, 'it came back on its old network after its settings were written and saved twice');
    ctx.journal.record(ctx.jobId, ctx.key, 'network-rewrite', { attempt, pan: after.pan ?? null }, { installStep: null });
    step = null;
    written = false;
  }
}

/** Writes the four settings (key fetched just now, wiped after) and reads the readable ones back. */
async function write(ctx: RunnerContext, conn: DeviceConnection, net: JobNetwork, signal: AbortSignal): Promise<void> {
  if (!ctx.netKey) throw new SiteflashError('net-key-missing', 'This siteflash has no keychain to take the network key from; nothing was written.');
  const key = await ctx.netKey(net.projectId, signal);
  try {
    await settingsOps(ctx, conn).writeSettings(networkWrites(net, key), signal);
  } finally {
    key.fill(0);
  }
  if (!conn.readSetting) return;
  const back = await readable(conn, signal);
  if (back.panId !== net.panId || back.channel !== net.channel || back.security !== net.security) {
    throw new SiteflashError('settings-not-kept', `The device did not keep the settings it accepted (it reads back ${settingsText(back)}). It was not reset; retry it, and replace it if this repeats.`);
  }
}

/** The settings before the change: PAN from identity, channel and security read when the device allows it. */
async function oldSettings(conn: DeviceConnection, facts: DeviceFacts, signal: AbortSignal): Promise<Partial<NetworkSettings>> {
  const back = conn.readSetting ? await readable(conn, signal).catch((): Partial<NetworkSettings> => ({})) : {};
  return { ...back, ...(facts.pan === undefined ? {} : { panId: facts.pan }) };
}

async function readable(conn: DeviceConnection, signal: AbortSignal): Promise<Partial<NetworkSettings>> {
  const read = (name: string, s: AbortSignal) => (conn.readSetting ? conn.readSetting(name, s) : Promise.reject(new SiteflashError('settings-unsupported', 'The device connection cannot read settings.')));
  const pan = await read(NET_SETTING.panId, signal);
  const channel = decodeChannel(await read(NET_SETTING.channel, signal));
  const security = decodeSecurity(await read(NET_SETTING.security, signal));
  const panId = pan.length === 2 ? (pan[0] as number) | ((pan[1] as number) << 8) : undefined;
  return { ...(panId === undefined ? {} : { panId }), ...(channel === undefined ? {} : { channel }), ...(security === undefined ? {} : { security }) };
}

async function rejoin(ctx: RunnerContext, conn: DeviceConnection, net: JobNetwork): Promise<DeviceFacts> {
  try {
    return await conn.awaitRejoin(ctx.spec.policy.rejoinTimeoutMs ?? NETWORK_REJOIN_TIMEOUT_MS, ctx.control.hardSignal);
  } catch (err) {
    if (err instanceof SiteflashError && err.kind === 'rejoin-timeout') throw notRejoined(net, undefined, 'it did not answer after its reset');
    throw err;
  }
}

/**
 * Asks the technician about the `joined` LED the device showed on its own after the restart; a
 * "no" means the device needs attention. The pattern is not requested from the device: one shown
 * on request would prove nothing about the network.
 */
async function joinedCheckpoint(ctx: RunnerContext): Promise<void> {
  const question = `Does the device on ${ctx.key} show "joined" (on for 3 seconds, then off) after its restart?`;
  const seen = await ctx.leds.ask({ jobId: ctx.jobId, deviceKey: ctx.key, pattern: 'joined', question }, ctx.control.signal);
  ctx.journal.record(ctx.jobId, ctx.key, 'led', { pattern: 'joined', seen }, { ledAnswers: [...current(ctx).ledAnswers, { pattern: 'joined', seen, at: ctx.wallNow() }] });
  if (!seen) {
    throw new SiteflashError('not-rejoined', 'The device reports the new PAN but the technician did not see the joined LED. Needs attention: check it is within range of the network coordinator, then retry it.');
  }
}

/** The `not-rejoined` reason: the device needs attention, and what to try. */
function notRejoined(net: JobNetwork, facts: DeviceFacts | undefined, why: string): SiteflashError {
  const last = facts?.pan === undefined ? '' : ` It last reported PAN 0x${facts.pan.toString(16).padStart(4, '0')}.`;
  return new SiteflashError(
    'not-rejoined',
    `Needs attention: the device did not rejoin on PAN 0x${net.panId.toString(16).padStart(4, '0')} (${why}).${last} ` +
      'Check its power and that it is within range of the network coordinator, then retry it; if it still does not join, connect it by cable and re-key it alone.',
  );
}

/** Records what the device reported (identity `pan`, `led`): the job's old/new counts come from these. */
function seen(ctx: RunnerContext, facts: DeviceFacts): void {
  ctx.journal.record(ctx.jobId, ctx.key, 'network-seen', { pan: facts.pan ?? null, led: facts.led ?? null });
}

/** The connection's settings methods, bound; `settings-unsupported` when the driver has none. */
function settingsOps(ctx: RunnerContext, conn: DeviceConnection) {
  const { writeSettings, commitSave } = conn;
  if (!writeSettings || !commitSave) throw new SiteflashError('settings-unsupported', `The ${ctx.driver.name} driver cannot write settings. Nothing was written.`);
  return { writeSettings: writeSettings.bind(conn), commitSave: commitSave.bind(conn) };
}

function networkOf(ctx: RunnerContext): JobNetwork {
  const net = ctx.spec.network;
  if (!net) throw new SiteflashError('job-invalid', 'A network job needs its network settings.');
  return net;
}

function current(ctx: RunnerContext): DeviceRow {
  const row = ctx.journal.device(ctx.jobId, ctx.key);
  if (!row) throw new SiteflashError('job-device-not-found', `Job ${ctx.jobId} has no device ${ctx.key}.`);
  return row;
}

/** Commits the transition, then tells the listeners. */
function move(ctx: RunnerContext, to: DeviceState, patch: DevicePatch = {}, detail: Record<string, unknown> = {}): void {
  const { seq, from, row } = ctx.journal.transition(ctx.jobId, ctx.key, to, isEnd(to) ? withChosenId(current(ctx), ctx.target, to, patch) : patch, detail);
  if (isEnd(to)) ctx.progress.idle(ctx.key);
  ctx.emit({ jobId: ctx.jobId, deviceKey: ctx.key, from, to, reason: row.reason, reasonKind: row.reasonKind, seq });
}
