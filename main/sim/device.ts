import type { Clock } from '../links/clock';
import { Listeners } from '../links/listeners';
import type { SmpBody } from '../smp/cbor';
import { decodePacket, decodeHeader, encodePacket } from '../smp/packet';
import { isResponseOp, responseOp, SMP_HEADER_SIZE } from '../smp/constants';
import { MgmtErr } from '../smp/error-codes';
import { FieldGroup } from './field-group';
import { SimFlash } from './flash';
import type { LedPattern, SimDeviceContext, SimGroup, SimReply } from './handler';
import { buildSimImage } from './image-builder';
import { ImageGroup } from './image-group';
import { encodeIndefiniteCbor } from './indefinite-cbor';
import { RECOVERY_BUF_SIZE, RecoveryServer, type RecoveryBuild } from './recovery-server';
import { OsGroup, type OsGroupOptions } from './os-group';
import { seededRandom, type Random } from './rng';
import { SettingsGroup } from './settings-group';
import { DEFAULT_TIMING, swapMs, type TimingModel } from './timing';

/** Faults the device itself injects (link-level faults live in {@link SimTransport}). */
export interface DeviceFaults {
  /** Probability that an answer is held back by `stallMs` more. */
  stallRate?: number;
  stallMs?: number;
  /** Probability that an answer goes out malformed (header length wrong or body not CBOR). */
  malformedRate?: number;
  /** Cut the power halfway through the next swap (MCUboot resumes it at the next power-up). */
  powerLossDuringSwap?: boolean;
  /** How long the power stays off after a cut, ms (default 1000). */
  powerOffMs?: number;
}

/** Everything a simulated device is made from. */
export interface SimDeviceOptions {
  board: string;
  /** EUI-64 as 16 lower-case hex characters (field-group.md). */
  id: string;
  hwRev?: string;
  /** Version of the synthetic image in the primary slot (`major.minor.revision+build`), when `image` is not given. */
  version?: string;
  /** The image in the primary slot (the running firmware). */
  image?: Uint8Array;
  /** SMP buffer size and count (smp.md §3.1; defaults 384 × 4). */
  bufSize?: number;
  bufCount?: number;
  clock: Clock;
  random?: Random;
  slotSize?: number;
  timing?: Partial<TimingModel>;
  mode?: 'normal' | 'update';
  radio?: '6lowpan' | 'mioty' | 'none';
  /** Settings stored in flash at start, e.g. `{ 'net/pan_id': Uint8Array.of(0x34, 0x12) }`. */
  settings?: Record<string, Uint8Array>;
  /** `CONFIG_IMG_ENABLE_IMAGE_CHECK`: upload completion answers `match` (default true). */
  imageCheck?: boolean;
  /** Leave false flags out of image state entries (default false). */
  frugalList?: boolean;
  /** Server predates SMP v2: answers version 0 and legacy `rc` only (default false). */
  legacyOnly?: boolean;
  /**
   * `application` (default): this simulator's SMP server in the running app.
   * `mcuboot-recovery` (alias `recovery`): MCUboot serial recovery as recorded in
   * transcripts/mcuboot-serial-recovery.json (smp.md §11.1), as in manual update mode.
   * `zephyr`: Zephyr 3.5's smp_svr as recorded in transcripts/zephyr-smp-svr.json (smp.md §11.2):
   * 384 × 4 buffers, upload answers `off` only, indefinite-length maps, no bootloader (a reset
   * swaps nothing), two 128-byte UART line buffers (see SimTransport).
   */
  personality?: SimPersonality;
  /** Recovery: flash write unit per chunk (default 8). */
  recoveryWriteAlign?: number;
  /** Recovery: which recorded build to answer like (default `default`: no params, no flags). */
  recoveryBuild?: RecoveryBuild;
  /** Recovery: what a reset does — `boot` the application in slot 0 when it checks (default), or `stay` in recovery (as the recording's host build). */
  recoveryOnReset?: 'boot' | 'stay';
  os?: OsGroupOptions;
  faults?: DeviceFaults;
  /** Extra groups (e.g. a gateway's field group); one with a built-in group's id replaces it. */
  groups?: (device: SimDeviceContext) => SimGroup[];
}

/** Device personalities (`siteflash sim --personality`). */
export type SimPersonality = 'application' | 'recovery' | 'mcuboot-recovery' | 'zephyr';

/** Which recorded server a device answers like: this simulator's own model, or a transcript's. */
export type SimProfile = 'sim' | 'mcuboot-recovery' | 'zephyr';

/** Power phases a transport may react to (USB CDC drops off the bus while the device is down). */
export type PowerEvent = 'down' | 'up';

/** Update mode ends after 10 minutes without traffic (field-group.md "Manual update mode"). */
const UPDATE_MODE_IDLE_MS = 10 * 60_000;
/** `joined` shows for 3 s once after the device rejoins (field-group.md). */
const JOINED_MS = 3000;

/**
 * A simulated MCUboot + Zephyr SMP device, independent of any transport: whole request packets
 * in ({@link handlePacket}), whole response packets out ({@link onResponse}), with timing from
 * the model on the injected clock. Requests are answered strictly in order; at most `bufCount`
 * may wait, further ones are dropped as a device without a free buffer does.
 */
export class SimDevice implements SimDeviceContext {
  readonly board: string;
  readonly hwRev: string;
  readonly id: string;
  readonly radio: '6lowpan' | 'mioty' | 'none';
  readonly clock: Clock;
  readonly timing: TimingModel;
  readonly flash: SimFlash;
  readonly settings: SettingsGroup;
  /** Counters for tests and the CLI. */
  readonly stats = { requests: 0, noBuffer: 0, ignoredWhileDown: 0, boots: 0, swaps: 0, refusedImages: 0 };
  mode: 'normal' | 'update';
  led: LedPattern;
  /** The SMP server running now: the application's, or MCUboot's serial recovery. */
  personality: 'application' | 'recovery';
  /** Whose recorded behaviour the device follows (fixed at construction). */
  readonly profile: SimProfile;
  private readonly recoveryOnReset: 'boot' | 'stay';
  private readonly idle = new Listeners<void>();
  private readonly appBufSize: number;
  private readonly appBufCount: number;
  private readonly recovery: RecoveryServer;
  private up = true;
  private readonly random: Random;
  private readonly faults: DeviceFaults;
  private readonly legacyOnly: boolean;
  private readonly groups = new Map<number, SimGroup>();
  private readonly responses = new Listeners<Uint8Array>();
  private readonly power = new Listeners<PowerEvent>();
  private queue: Uint8Array[] = [];
  private busy = false;
  private timers = new Set<() => void>();
  private ledTimer: (() => void) | undefined;
  private idleTimer: (() => void) | undefined;
  private powerCutArmed: boolean;
  /** Bumped at every power-down, so a deferred answer from before a reboot is dropped. */
  private epoch = 0;

  constructor(opts: SimDeviceOptions) {
    this.board = opts.board;
    this.id = opts.id;
    this.hwRev = opts.hwRev ?? '1';
    this.appBufSize = opts.bufSize ?? 384;
    this.appBufCount = opts.bufCount ?? 4;
    const p = opts.personality ?? 'application';
    this.profile = p === 'recovery' || p === 'mcuboot-recovery' ? 'mcuboot-recovery' : p === 'zephyr' ? 'zephyr' : 'sim';
    this.personality = this.profile === 'mcuboot-recovery' ? 'recovery' : 'application';
    this.recoveryOnReset = opts.recoveryOnReset ?? 'boot';
    this.recovery = new RecoveryServer(this, opts.recoveryWriteAlign, opts.recoveryBuild);
    this.radio = opts.radio ?? '6lowpan';
    this.clock = opts.clock;
    this.random = opts.random ?? seededRandom(1);
    this.timing = { ...DEFAULT_TIMING, ...opts.timing };
    this.faults = opts.faults ?? {};
    this.powerCutArmed = this.faults.powerLossDuringSwap === true;
    this.legacyOnly = opts.legacyOnly ?? false;
    const image = opts.image ?? buildSimImage({ version: opts.version ?? '1.0.0+0', board: opts.board });
    this.flash = new SimFlash(opts.slotSize ?? 0x40000, image);
    this.settings = new SettingsGroup(opts.settings);
    const groups: SimGroup[] = [
      new OsGroup(this, { ...opts.os, zephyr35: this.profile === 'zephyr' }),
      new ImageGroup(this, {
        imageCheck: opts.imageCheck ?? this.profile !== 'zephyr',
        frugalList: opts.frugalList ?? false,
        erasePendingAnswer: this.profile === 'zephyr' ? 'no-free-slot' : 'already-pending',
      }),
      this.settings,
      // smp_svr has no field group (smp.md §11.2): group 64 answers rc 8 there.
      ...(this.profile === 'zephyr' ? [] : [new FieldGroup(this)]),
      ...(opts.groups?.(this) ?? []),
    ];
    for (const g of groups) this.groups.set(g.group, g);
    this.mode = opts.mode ?? 'normal';
    this.led = this.mode === 'update' ? 'update-mode' : 'off';
    if (this.mode === 'update') this.armIdle();
  }

  /** SMP buffer size of the running server (recovery: 1024 with length and CRC, smp.md §11.1). */
  get bufSize(): number {
    return this.personality === 'recovery' ? RECOVERY_BUF_SIZE : this.appBufSize;
  }

  /** SMP buffer count of the running server (recovery: 1 — one request at a time). */
  get bufCount(): number {
    return this.personality === 'recovery' ? 1 : this.appBufCount;
  }

  /** True while the SMP thread works on a request (UART lines wait meanwhile). */
  get isBusy(): boolean {
    return this.busy;
  }

  /** Subscribes to the moments the SMP thread becomes free again. */
  onIdle(listener: () => void): () => void {
    return this.idle.add(listener);
  }

  /** True while the device runs (not resetting, swapping or without power). */
  get isUp(): boolean {
    return this.up;
  }

  /** Subscribes to response packets. */
  onResponse(listener: (packet: Uint8Array) => void): () => void {
    return this.responses.add(listener);
  }

  /** Subscribes to power phases (down at reset or power cut, up once booted). */
  onPower(listener: (event: PowerEvent) => void): () => void {
    return this.power.add(listener);
  }

  /** Takes one whole request packet (header + body) from a transport. */
  handlePacket(packet: Uint8Array): void {
    if (!this.up) {
      this.stats.ignoredWhileDown++;
      return;
    }
    if (this.queue.length + (this.busy ? 1 : 0) >= this.bufCount) {
      this.stats.noBuffer++;
      return;
    }
    if (this.mode === 'update') this.armIdle();
    this.queue.push(packet);
    this.pump();
  }

  /** The technician's magnet + OTG gesture (field-group.md "Manual update mode"). */
  enterUpdateMode(): void {
    this.mode = 'update';
    this.setLed('update-mode');
    this.armIdle();
  }

  /** Cuts the power now: pending answers are lost, RAM state too; power returns after `offMs`. */
  powerLoss(offMs = this.faults.powerOffMs ?? 1000): void {
    this.goDown();
    this.later(() => this.boot(), offMs);
  }

  /** Stops every timer (the simulator is being shut down). */
  dispose(): void {
    for (const cancel of this.timers) cancel();
    this.timers.clear();
    this.ledTimer?.();
    this.idleTimer?.();
  }

  setLed(pattern: LedPattern, forMs?: number): void {
    this.ledTimer?.();
    this.ledTimer = undefined;
    this.led = pattern;
    if (forMs !== undefined) {
      this.ledTimer = this.clock.schedule(() => {
        this.ledTimer = undefined;
        this.led = this.mode === 'update' ? 'update-mode' : 'off';
      }, forMs);
    }
  }

  scheduleReset(): void {
    this.later(() => {
      if (this.flash.nextSwap() !== 'none') this.setLed('installing');
      this.goDown();
      this.boot();
    }, this.timing.resetDelayMs);
  }

  panId(): number | undefined {
    const v = this.settings.appliedValue('net/pan_id');
    return v && v.length === 2 ? (v[0] as number) | ((v[1] as number) << 8) : undefined;
  }

  private pump(): void {
    if (this.busy || !this.up) return;
    const packet = this.queue.shift();
    if (!packet) return;
    this.busy = true;
    this.stats.requests++;
    const out = this.process(packet);
    const finish = ({ response, delayMs, after }: Processed) =>
      this.later(() => {
        this.busy = false;
        if (response) this.responses.emit(response);
        after?.();
        this.pump();
        if (!this.busy) this.idle.emit();
      }, delayMs);
    const epoch = this.epoch;
    if (out.defer) out.defer((r) => epoch === this.epoch && finish(r));
    else finish(out);
  }

  /** Decodes, dispatches and encodes one request (smp.md §1, §2, §10). */
  private process(packet: Uint8Array): Processed & { defer?: (give: (p: Processed) => void) => void } {
    let delayMs = this.timing.processingMs;
    const header = decodeHeader(packet);
    if (!header || isResponseOp(header.op) || header.op > 3) return { delayMs };
    const recovery = this.personality === 'recovery';
    // Recovery echoes the version bits back (smp.md §11).
    const version = recovery ? header.version : this.legacyOnly ? 0 : Math.min(header.version, 1);
    const answer = (reply: SimReply) => {
      const body = reply.body;
      delayMs += reply.workMs ?? 0;
      if (this.random() < (this.faults.stallRate ?? 0)) delayMs += this.faults.stallMs ?? 5000;
      let response = encodePacket({ op: responseOp(header.op), group: header.group, id: header.id, seq: header.seq, version, body: this.encodeBody(body) });
      if (response.length > this.bufSize) {
        response = encodePacket({ op: responseOp(header.op), group: header.group, id: header.id, seq: header.seq, version, body: { rc: MgmtErr.ENOMEM } });
      }
      if (this.random() < (this.faults.malformedRate ?? 0)) response = this.malform(response);
      return reply.after ? { response, delayMs, after: reply.after } : { response, delayMs };
    };
    if (!recovery && !this.legacyOnly && header.version >= 2) return answer({ body: { rc: MgmtErr.UNSUPPORTED_TOO_NEW } });
    const decoded = decodePacket(packet);
    if (!decoded.ok) {
      const rc = decoded.error.reason === 'length-mismatch' ? MgmtErr.ECORRUPT : MgmtErr.EINVAL;
      return answer({ body: { rc } });
    }
    const req = { header: { ...decoded.header, version }, body: decoded.body };
    const handled = recovery ? this.recovery.handle(req) : this.groups.get(header.group)?.handle(req);
    const reply = handled ?? { body: { rc: MgmtErr.ENOTSUP } };
    const defer = reply.defer;
    if (defer) return { delayMs, defer: (give) => defer((r) => give(answer(r))) };
    return answer(reply);
  }

  /** The recorded servers write indefinite-length maps; recovery's response buffer caps the body (rc 2). */
  private encodeBody(body: SmpBody): SmpBody | Uint8Array {
    if (this.profile === 'sim') return body;
    const bytes = encodeIndefiniteCbor(body);
    if (this.personality === 'recovery' && bytes.length > this.recovery.outMax) return encodeIndefiniteCbor({ rc: MgmtErr.ENOMEM });
    return bytes;
  }

  private malform(response: Uint8Array): Uint8Array {
    const bad = response.slice();
    if (this.random() < 0.5 && bad.length > SMP_HEADER_SIZE) bad[SMP_HEADER_SIZE] = 0xff;
    else bad[3] = ((bad[3] as number) + 1) & 0xff;
    return bad;
  }

  private goDown(): void {
    for (const cancel of this.timers) cancel();
    this.timers.clear();
    this.queue = [];
    this.busy = false;
    if (!this.up) return;
    this.epoch++;
    this.up = false;
    for (const g of this.groups.values()) g.onReboot?.();
    this.recovery.abort();
    this.power.emit('down');
  }

  /** MCUboot's boot: decide, swap (taking the model's time), then the application comes up. */
  private boot(): void {
    const plan = this.profile === 'zephyr' ? 'none' : this.flash.nextSwap();
    const image = Math.max(this.flash.image(0)?.bytes.length ?? 0, this.flash.image(1)?.bytes.length ?? 0);
    const swapTime = plan === 'none' ? 0 : swapMs(this.timing, image);
    if (plan !== 'none' && this.powerCutArmed) {
      this.powerCutArmed = false;
      this.later(() => this.powerLoss(), swapTime / 2);
      return;
    }
    this.later(() => {
      // Zephyr's smp_svr recording has no bootloader in front of it: nothing swaps (smp.md §11.2).
      const outcome = this.profile === 'zephyr' ? { swap: 'none' as const, refused: false } : this.flash.boot();
      this.stats.boots++;
      if (outcome.swap !== 'none' && !outcome.refused) this.stats.swaps++;
      if (outcome.refused) this.stats.refusedImages++;
      this.up = true;
      // Recovery hands over to the application once slot 0 holds an image it accepts.
      if (this.flash.image(0)?.hashOk && !(this.personality === 'recovery' && this.recoveryOnReset === 'stay')) this.personality = 'application';
      this.mode = 'normal';
      this.setLed('joined', JOINED_MS);
      this.power.emit('up');
    }, this.timing.bootMs + swapTime);
  }

  private armIdle(): void {
    this.idleTimer?.();
    this.idleTimer = this.clock.schedule(() => {
      this.idleTimer = undefined;
      this.mode = 'normal';
      if (this.led === 'update-mode') this.setLed('off');
    }, UPDATE_MODE_IDLE_MS);
  }

  private later(fn: () => void, ms: number): void {
    const cancel = this.clock.schedule(() => {
      this.timers.delete(cancel);
      fn();
    }, ms);
    this.timers.add(cancel);
  }
}

/** One processed request: the answer (if any), when it goes out, and what runs after it. */
interface Processed {
  response?: Uint8Array;
  delayMs: number;
  after?: () => void;
}
