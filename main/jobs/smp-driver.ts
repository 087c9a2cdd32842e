import { fieldIdentity, fieldLed } from '../devices/commands/field';
import { imageConfirm, imageState, imageTest, slotWithHash } from '../devices/commands/image';
import { isNotSupported } from '../devices/commands/os';
import { settingsCommit, settingsRead, settingsSave, settingsWrite } from '../devices/commands/settings';
import { DeviceError } from '../devices/errors';
import { checkImageFits } from '../devices/image-fit';
import { HASH_TLVS } from '../image/format';
import { negotiateParams, type SessionParams } from '../devices/params';
import { rejoinAfterReset, reopenWithBackoff, resetThenLook } from '../devices/reconnect';
import { SmpSession } from '../devices/session';
import { uploadImage } from '../devices/upload';
import { systemClock, type Clock } from '../links/clock';
import { createLink, DEFAULT_BAUD_RATE } from '../links/factory';
import type { Link } from '../links/link';
import { SiteflashError } from '../errors';
import type { DeviceConnection, DeviceDriver, DeviceFacts, JobImage, TransferResult } from './driver';
import { JobError } from './errors';
import type { JobTarget } from './types';

/** Options of {@link SmpDriver}. */
export interface SmpDriverOptions {
  /** Makes the (unopened) link to a target; default: the link factory (serial). */
  openLink?: (target: JobTarget) => Link;
  clock?: Clock;
  /** Per-request timeout (default the session's 5 s). */
  timeoutMs?: number;
  /** How long to wait for a port to (re)appear when connecting (default 10 s). */
  connectTimeoutMs?: number;
  /** Timeout of a first upload chunk, which may erase the slot (default the upload's 30 s). */
  firstChunkTimeoutMs?: number;
  /** After a reset on a link that stays open (UART bridge), wait this long before asking (default 1 s). */
  resetSettleMs?: number;
}

/** The factory's links: serial now; BLE and HID once their owners add them to `createLink`. */
export function defaultOpenLink(target: JobTarget): Link {
  const l = target.link;
  if (l.kind === 'serial') return createLink({ kind: 'serial', path: l.path, baudRate: l.baudRate ?? DEFAULT_BAUD_RATE });
  if (l.kind === 'ble') return createLink({ kind: 'ble', address: l.address });
  if (l.kind === 'hid') return createLink({ kind: 'hid', path: l.path });
  if (l.kind === 'udp') return createLink({ kind: 'udp', host: l.host, port: l.port });
  throw new SiteflashError('link-unsupported', `siteflash cannot open ${l.kind} links for batch updates.`);
}

/**
 * The direct driver: one SMP session per device over its own link (main/devices), the standard
 * upload → test → reset → confirm steps of smp.md §5.7, split so the engine can journal and ask
 * the technician between them.
 */
export class SmpDriver implements DeviceDriver {
  readonly name = 'smp';
  private readonly clock: Clock;

  constructor(private readonly o: SmpDriverOptions = {}) {
    this.clock = o.clock ?? systemClock;
  }

  async connect(target: JobTarget, signal: AbortSignal): Promise<DeviceConnection> {
    const link = (this.o.openLink ?? defaultOpenLink)(target);
    await reopenWithBackoff(link, { clock: this.clock, timeoutMs: this.o.connectTimeoutMs ?? 10_000, signal });
    const session = new SmpSession(link, { clock: this.clock, ...(this.o.timeoutMs ? { timeoutMs: this.o.timeoutMs } : {}) });
    try {
      const params = await negotiateParams(session, { signal });
      return new SmpConnection(session, params, this.clock, this.o);
    } catch (err) {
      session.dispose();
      await link.close().catch(() => undefined);
      throw err;
    }
  }
}

class SmpConnection implements DeviceConnection {
  readonly linkId: string;
  /** The field identity's id the device gave first: every reconnect must give it again. */
  private deviceId: string | undefined;
  /** The image sits in slot 0 where MCUboot serial recovery wrote it: no test or confirm step (smp.md §11). */
  private inPlace = false;

  constructor(
    private readonly session: SmpSession,
    private readonly params: SessionParams,
    private readonly clock: Clock,
    private readonly o: SmpDriverOptions,
  ) {
    this.linkId = session.link.id;
  }

  async identify(signal: AbortSignal): Promise<DeviceFacts> {
    const identity = await fieldIdentity(this.session, signal);
    const slots = (await imageState(this.session, signal)).map((s) => ({
      slot: s.slot,
      version: s.version,
      hash: Buffer.from(s.hash).toString('hex'),
      active: s.active,
      pending: s.pending,
      confirmed: s.confirmed,
    }));
    this.deviceId ??= identity?.id;
    if (!identity) return { slots };
    return { deviceId: identity.id, board: identity.board, hwRev: identity.hw, mode: identity.mode, version: identity.version, led: identity.led, ...(identity.pan === undefined ? {} : { pan: identity.pan }), slots };
  }

  async showLed(pattern: 'update-mode' | 'joined' | 'identify', signal: AbortSignal): Promise<boolean> {
    try {
      await fieldLed(this.session, pattern, undefined, signal);
      return true;
    } catch (err) {
      if (isNotSupported(err)) return false;
      throw err;
    }
  }

  async transfer(image: JobImage, onProgress: (bytes: number, total: number, rate: number) => void, signal: AbortSignal): Promise<TransferResult> {
    const link = this.session.link;
    // Before the first upload request, as the CLI's plain upload: an image the device would take but never list, or tagged for another board.
    const warnings = await this.checkFits(image, signal);
    const result = await uploadImage(this.session, image.source, {
      bufSize: this.params.bufSize,
      sha: image.sha,
      clock: this.clock,
      ...(this.o.firstChunkTimeoutMs ? { firstChunkTimeoutMs: this.o.firstChunkTimeoutMs } : {}),
      reconnect: async (s) => {
        await reopenWithBackoff(link, { clock: this.clock, timeoutMs: this.o.connectTimeoutMs ?? 10_000, ...(s ? { signal: s } : {}) });
        await this.proveSame(s ?? signal);
      },
      onProgress: (bytes, total, rate) => onProgress(bytes, total, rate),
      signal,
    });
    if (result.match === false) throw new DeviceError('protocol', 'The device wrote the image but its SHA-256 does not match.');
    return { resumedFrom: result.resumedFrom, total: result.total, ...(warnings.length ? { warnings } : {}) };
  }

  /** main/devices `checkImageFits` against the identity the device gives now; its refusals end the device with a stable kind. */
  private async checkFits(image: JobImage, signal: AbortSignal): Promise<string[]> {
    const c = image.component;
    const hashAlg = [...HASH_TLVS.values()].find((h) => h.len === image.hash.length)?.alg;
    if (!hashAlg) throw new JobError('bad-image', `The image's hash TLV is ${image.hash.length} bytes, which no MCUboot hash has; nothing was sent.`);
    try {
      return await checkImageFits(this.session, { version: c.version, hashAlg, board: c.board }, await fieldIdentity(this.session, signal), signal);
    } catch (err) {
      if (err instanceof DeviceError && err.kind === 'refused') throw new JobError(err.details?.check === 'board' ? 'wrong-board' : 'hash-not-listed', err.message);
      throw err;
    }
  }

  async markTest(image: JobImage, signal: AbortSignal): Promise<void> {
    // Serial recovery uploads straight into slot 0 and has no test step: the reset installs it.
    const held = slotWithHash(await imageState(this.session, signal), image.hash);
    if (held && held.image === 0 && held.slot === 0) {
      this.inPlace = true;
      return;
    }
    await imageTest(this.session, image.hash, signal);
  }

  async reset(signal: AbortSignal): Promise<void> {
    await resetThenLook(this.session, signal);
  }

  awaitRejoin(timeoutMs: number, signal: AbortSignal): Promise<DeviceFacts> {
    return rejoinAfterReset(this.session.link, {
      clock: this.clock,
      settleMs: this.o.resetSettleMs ?? 1000,
      timeoutMs,
      signal,
      identify: (s) => this.identify(s),
      gaveUp: (seconds) => new JobError('rejoin-timeout', `The device did not come back within ${seconds} s of its reset; check its power and LED, then retry.`),
    });
  }

  async confirm(signal: AbortSignal): Promise<void> {
    try {
      await imageConfirm(this.session, undefined, signal);
    } catch (err) {
      // Installed by the bootloader and still in recovery (rc 8 to image state write): there is nothing to confirm.
      if (!(this.inPlace && isNotSupported(err))) throw err;
    }
  }

  /** After a reopen mid-transfer: the device must give the id it gave before, or nothing more is sent. */
  private async proveSame(signal: AbortSignal): Promise<void> {
    if (this.deviceId === undefined) return;
    const now = await fieldIdentity(this.session, signal);
    if (now?.id !== this.deviceId) {
      throw new JobError('wrong-device', `Another device answered on ${this.linkId} (expected ${this.deviceId}, found ${now?.id ?? 'a device that does not say who it is'}); nothing was recorded for it.`);
    }
  }

  async writeSettings(values: readonly { name: string; val: Uint8Array }[], signal: AbortSignal): Promise<void> {
    for (const v of values) await settingsWrite(this.session, v.name, v.val, signal);
  }

  async readSetting(name: string, signal: AbortSignal): Promise<Uint8Array> {
    return settingsRead(this.session, name, signal);
  }

  async commitSave(signal: AbortSignal): Promise<void> {
    await settingsCommit(this.session, signal);
    await settingsSave(this.session, undefined, signal);
  }

  async close(): Promise<void> {
    this.session.dispose();
    await this.session.link.close().catch(() => undefined);
  }
}
