import type { Clock } from '../links/clock';
import type { SmpBody } from '../smp/cbor';
import { ImageCmd, OsCmd, SmpGroup } from '../smp/constants';
import { delivered, framePeriodMs, inRange, type RadioParams } from './radio';
import type { RadioEndpoint } from './radio-endpoint';
import { dataFragments, FragmentDecoder, parityCount, parityFragment } from './radio-fragments';
import type { Random } from './rng';

/** Target states of `batch_status` (field-group.md). */
export type TargetState = 'queued' | 'transferring' | 'verifying' | 'installing' | 'rebooting' | 'joined' | 'failed' | 'rolled_back' | 'cancelled';

/** One target of a batch. */
export interface TargetRun {
  id: string;
  state: TargetState;
  bytes: number;
  total: number;
  err?: string;
}

/** Radio figures of one batch, for tests, the bench and the CLI. */
export interface BatchRadioStats {
  /** Data fragments multicast (each counted once per sub-batch). */
  dataSent: number;
  paritySent: number;
  /** Data fragments devices rebuilt from parity. */
  repaired: number;
  /** Data fragments sent again by unicast repair. */
  resent: number;
  controlFrames: number;
  /** Clock ms the radio was busy with this batch. */
  radioMs: number;
}

/** What a batch runs with. */
export interface BatchContext {
  clock: Clock;
  random: Random;
  radio: RadioParams;
  endpoints: ReadonlyMap<string, RadioEndpoint>;
  image: Uint8Array;
  sha: Uint8Array;
  batchSize: number;
  redundancy: number;
  confirm: boolean;
  /** How long a device may take from its reset to joining again (default 120 s). */
  rejoinTimeoutMs?: number;
  /** Called once every target has ended. */
  onEnd?: () => void;
}

/** Attempts at one status exchange (request down, answer up) before the round counts as lost. */
const STATUS_TRIES = 3;

const ENDS: ReadonlySet<TargetState> = new Set(['joined', 'failed', 'rolled_back', 'cancelled']);

/**
 * One gateway batch (field-group.md "batch"): sub-batches of at most `batchSize` devices get the
 * image as one multicast of data + parity fragments on the duty-cycled channel; then each device
 * that still misses fragments is repaired by unicast, round by round; complete devices verify,
 * test-mark and reset on their own while the radio moves to the next sub-batch.
 */
export class GatewayBatch {
  readonly targets: TargetRun[];
  readonly stats: BatchRadioStats = { dataSent: 0, paritySent: 0, repaired: 0, resent: 0, controlFrames: 0, radioMs: 0 };
  private readonly fragments: Uint8Array[];
  private cancelled = false;
  private ended = false;
  private readonly timers = new Set<() => void>();

  constructor(
    readonly job: number,
    ids: readonly string[],
    private readonly ctx: BatchContext,
  ) {
    this.targets = ids.map((id) => ({ id, state: 'queued', bytes: 0, total: ctx.image.length }));
    this.fragments = dataFragments(ctx.image, ctx.radio.fragmentSize);
  }

  /** `running` until every target ended; `cancelled` when the technician cancelled it. */
  get state(): 'running' | 'done' | 'cancelled' {
    if (!this.targets.every((t) => ENDS.has(t.state))) return 'running';
    return this.cancelled ? 'cancelled' : 'done';
  }

  /** The `batch_status` answer. */
  status(): SmpBody {
    return { state: this.state, targets: this.targets.map((t) => ({ id: t.id, state: t.state, bytes: t.bytes, total: t.total, ...(t.err ? { err: t.err } : {}) })) };
  }

  /** Starts the radio on the first sub-batch. */
  start(): void {
    this.subBatch(0);
  }

  /** `batch_cancel`: targets not yet installing end `cancelled`; the others finish. */
  cancel(): void {
    this.cancelled = true;
    for (const t of this.targets) if (t.state === 'queued' || t.state === 'transferring' || t.state === 'verifying') this.end(t, 'cancelled');
  }

  /** Stops every timer (the simulator shuts down). */
  dispose(): void {
    for (const c of this.timers) c();
    this.timers.clear();
  }

  private subBatch(from: number): void {
    if (this.cancelled || from >= this.targets.length) return;
    const group = this.targets.slice(from, from + this.ctx.batchSize).filter((t) => t.state === 'queued');
    const k = this.fragments.length;
    const p = parityCount(k, this.ctx.redundancy);
    const decoders = new Map(group.map((t) => [t.id, new FragmentDecoder(k)]));
    for (const t of group) t.state = 'transferring';
    const period = framePeriodMs(this.ctx.radio, this.ctx.radio.fragmentSize);
    const send = (index: number) => {
      if (this.cancelled) return;
      if (index === k + p) return this.repair(group, decoders, 0, 0, () => this.subBatch(from + this.ctx.batchSize));
      const payload = index < k ? (this.fragments[index] as Uint8Array) : parityFragment(this.fragments, index - k + 1);
      if (index < k) this.stats.dataSent++;
      else this.stats.paritySent++;
      for (const t of group) {
        const dec = decoders.get(t.id) as FragmentDecoder;
        if (t.state === 'transferring' && delivered(this.link(t), this.ctx.clock.now(), this.ctx.random)) dec.push(index, payload);
        t.bytes = Math.min(t.total, dec.known * this.ctx.radio.fragmentSize);
      }
      this.radioBusy(period, () => send(index + 1));
    };
    send(0);
  }

  /** Unicast repair of `group[i]`, round `round`; then the next device; then `next()`. */
  private repair(group: TargetRun[], decoders: Map<string, FragmentDecoder>, i: number, round: number, next: () => void): void {
    if (this.cancelled) return;
    const t = group[i];
    if (!t) return next();
    const dec = decoders.get(t.id) as FragmentDecoder;
    const moveOn = () => this.repair(group, decoders, i + 1, 0, next);
    if (t.state !== 'transferring') return moveOn();
    if (dec.complete) {
      this.stats.repaired += dec.repaired;
      this.verify(t, dec);
      return moveOn();
    }
    if (round >= this.ctx.radio.repairRounds) {
      this.stats.repaired += dec.repaired;
      this.end(t, 'failed', inRange(this.link(t), this.ctx.clock.now()) ? 'radio_loss' : 'timeout');
      return moveOn();
    }
    // Status request down, missing-fragment list up: both must get through; the MAC retries a few times.
    const control = framePeriodMs(this.ctx.radio, this.ctx.radio.controlBytes);
    let tries = 0;
    let heard = false;
    while (!heard && tries < STATUS_TRIES) {
      tries++;
      heard = delivered(this.link(t), this.ctx.clock.now(), this.ctx.random) && delivered(this.link(t), this.ctx.clock.now(), this.ctx.random);
    }
    this.stats.controlFrames += 2 * tries;
    this.radioBusy(2 * control * tries, () => {
      if (!heard) return this.repair(group, decoders, i, round + 1, next);
      const missing = dec.missing();
      const period = framePeriodMs(this.ctx.radio, this.ctx.radio.fragmentSize);
      const unicast = (j: number) => {
        if (this.cancelled) return;
        const index = missing[j];
        if (index === undefined) return this.repair(group, decoders, i, round + 1, next);
        this.stats.resent++;
        if (delivered(this.link(t), this.ctx.clock.now(), this.ctx.random)) dec.push(index, this.fragments[index] as Uint8Array);
        t.bytes = Math.min(t.total, dec.known * this.ctx.radio.fragmentSize);
        this.radioBusy(period, () => unicast(j + 1));
      };
      unicast(0);
    });
  }

  /** The device checks and stores what it rebuilt, test-marks it and resets (its own firmware, over SMP). */
  private verify(t: TargetRun, dec: FragmentDecoder): void {
    const ep = this.ctx.endpoints.get(t.id) as RadioEndpoint;
    t.state = 'verifying';
    const image = dec.assemble(this.ctx.image.length) as Uint8Array;
    ep.writeImage(image, this.ctx.sha, (up) => {
      if (t.state !== 'verifying') return;
      if (!up) return this.end(t, 'failed', 'timeout');
      if (up.rc !== undefined && up.rc !== 0) return this.end(t, 'failed', /board/.test(String(up.rsn)) ? 'incompatible_board' : 'flash_error');
      if (up.err !== undefined) return this.end(t, 'failed', /board/.test(String(up.rsn)) ? 'incompatible_board' : 'flash_error');
      if (up.match === false) return this.end(t, 'failed', 'hash_mismatch');
      ep.call('read', SmpGroup.image, ImageCmd.state, {}, (st) => {
        const hash = slotHash(st, 1);
        if (!hash) return this.end(t, 'failed', 'hash_mismatch');
        ep.call('write', SmpGroup.image, ImageCmd.state, { hash, confirm: false }, (marked) => {
          if (!marked || marked.err !== undefined || (marked.rc ?? 0) !== 0) return this.end(t, 'failed', 'flash_error');
          this.install(t, ep, hash);
        });
      });
    });
  }

  private install(t: TargetRun, ep: RadioEndpoint, hash: Uint8Array): void {
    t.state = 'installing';
    const offPower = ep.device.onPower((e) => {
      if (e === 'down' && t.state === 'installing') t.state = 'rebooting';
      if (e !== 'up') return;
      offPower();
      cancelTimeout();
      // The device rejoined: did MCUboot keep the new image?
      ep.call('read', SmpGroup.image, ImageCmd.state, {}, (st) => {
        if (!sameHash(slotHash(st, 0), hash)) return this.end(t, 'rolled_back', 'rolled_back');
        if (!this.ctx.confirm) return this.end(t, 'joined');
        ep.call('write', SmpGroup.image, ImageCmd.state, { confirm: true }, () => this.end(t, 'joined'));
      });
    });
    const cancelTimeout = this.later(() => {
      offPower();
      this.end(t, 'failed', ep.device.isUp ? 'timeout' : 'power_loss');
    }, this.ctx.rejoinTimeoutMs ?? 120_000);
    ep.call('write', SmpGroup.os, OsCmd.reset, {}, () => undefined);
  }

  private end(t: TargetRun, state: TargetState, err?: string): void {
    if (ENDS.has(t.state)) return;
    t.state = state;
    if (err && state !== 'rolled_back') t.err = err;
    if (!this.ended && this.state !== 'running') {
      this.ended = true;
      this.ctx.onEnd?.();
    }
  }

  private link(t: TargetRun) {
    return (this.ctx.endpoints.get(t.id) as RadioEndpoint).link;
  }

  private radioBusy(ms: number, then: () => void): void {
    this.stats.radioMs += ms;
    this.later(then, ms);
  }

  private later(fn: () => void, ms: number): () => void {
    const cancel = this.ctx.clock.schedule(() => {
      this.timers.delete(cancel);
      fn();
    }, ms);
    this.timers.add(cancel);
    return () => {
      this.timers.delete(cancel);
      cancel();
    };
  }
}

function slotHash(state: SmpBody | undefined, slot: number): Uint8Array | undefined {
  const images = state?.images;
  if (!Array.isArray(images)) return undefined;
  const entry = images.find((e: unknown) => (e as SmpBody).slot === slot) as SmpBody | undefined;
  return entry?.hash instanceof Uint8Array ? entry.hash : undefined;
}

function sameHash(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && Buffer.compare(a, b) === 0;
}
