import { Listeners } from '../links/listeners';
import type { SmpBody } from '../smp/cbor';
import { FieldCmd, SmpGroup } from '../smp/constants';
import { MgmtErr } from '../smp/error-codes';
import { GatewayBatch, type BatchRadioStats } from './gateway-batch';
import { StageStore } from './gateway-stage';
import { isWrite, legacyFail, ok, sameBytes, type LedPattern, type SimDeviceContext, type SimGroup, type SimReply, type SimRequest } from './handler';
import { airtimeMs, delivered, framePeriodMs, inRange, type RadioParams } from './radio';
import type { RadioEndpoint } from './radio-endpoint';
import type { Random } from './rng';
import { fieldVersionText, inspectSlotImage } from './slot-image';

/** Default listen time of `scan`, ms (field-group.md command 1). */
const SCAN_DEFAULT_MS = 3000;
/** How long the gateway waits for a forwarded answer before it answers ETIMEOUT. */
const FORWARD_TIMEOUT_MS = 4000;
/** Radio-level attempts per forwarded frame. */
const FORWARD_ATTEMPTS = 3;
const PATTERNS: readonly LedPattern[] = ['update-mode', 'receiving', 'installing', 'joined', 'error', 'identify', 'off'];

/** What the gateway's field group works with. */
export interface GatewayRadioContext {
  radio: RadioParams;
  endpoints: ReadonlyMap<string, RadioEndpoint>;
  random: Random;
  /** Largest `batch_size` this gateway accepts. */
  maxBatchSize: number;
  rejoinTimeoutMs?: number;
}

/**
 * The field group (64) as a gateway implements it (field-group.md): identity with role
 * `gateway`, scan, stage, batch, batch_status, batch_cancel, forward and led, over the radio.
 */
export class GatewayFieldGroup implements SimGroup {
  readonly group = SmpGroup.field;
  readonly batches = new Map<number, GatewayBatch>();
  readonly stage = new StageStore(() => [...this.batches.values()].some((b) => b.state === 'running'));
  /** Each batch as it starts and as its last target ends, in the order they happen (for tests and the bench). */
  readonly batchEvents = new Listeners<{ job: number; event: 'started' | 'ended'; targets: string[] }>();
  private nextJob = 1;

  constructor(
    private readonly dev: SimDeviceContext,
    private readonly r: GatewayRadioContext,
  ) {}

  /** Radio figures summed over every batch run so far. */
  radioStats(): BatchRadioStats {
    const sum: BatchRadioStats = { dataSent: 0, paritySent: 0, repaired: 0, resent: 0, controlFrames: 0, radioMs: 0 };
    for (const b of this.batches.values()) for (const k of Object.keys(sum) as (keyof BatchRadioStats)[]) sum[k] += b.stats[k];
    return sum;
  }

  onReboot(): void {
    for (const b of this.batches.values()) b.dispose();
    this.batches.clear();
  }

  handle(req: SimRequest): SimReply | undefined {
    const { id } = req.header;
    const w = isWrite(req);
    if (id === FieldCmd.identity && !w) return ok(this.identity());
    if (id === FieldCmd.scan && !w) return this.scan(req.body);
    if (id === FieldCmd.stage && w) return ok(this.stage.handle(req.body), 1);
    if (id === FieldCmd.batch && w) return this.batch(req.body);
    if (id === FieldCmd.batchStatus && !w) return this.withJob(req.body, (b) => ok(b.status()));
    if (id === FieldCmd.batchCancel && w) return this.withJob(req.body, (b) => (b.cancel(), ok()));
    if (id === FieldCmd.forward && w) return this.forward(req.body);
    if (id === FieldCmd.led && w) return this.led(req.body);
    return undefined;
  }

  private identity(): SmpBody {
    const img = this.dev.flash.image(0);
    return { id: this.dev.id, board: this.dev.board, hw: this.dev.hwRev, role: 'gateway', mode: this.dev.mode, led: this.dev.led, radio: this.dev.radio, version: img ? fieldVersionText(img.version) : '0.0.0+0' };
  }

  private scan(body: SmpBody): SimReply {
    const ms = typeof body.ms === 'number' && body.ms >= 0 ? Math.min(body.ms, 60_000) : SCAN_DEFAULT_MS;
    return {
      body: {},
      defer: (give) =>
        this.dev.clock.schedule(() => {
          const now = this.dev.clock.now();
          const heard = [...this.r.endpoints.values()].filter((e) => e.device.isUp && inRange(e.link, now));
          const devices = heard.map((e) => {
            const img = e.device.flash.image(0);
            const rssi = Math.round(e.link.rssi + (this.r.random() - 0.5) * 4);
            return { id: e.id, board: e.device.board, hw: e.device.hwRev, version: img ? fieldVersionText(img.version) : '0.0.0+0', mode: e.device.mode, rssi, led: e.device.led };
          });
          // Update-mode devices first, then the strongest signal.
          devices.sort((a, b) => Number(b.mode === 'update') - Number(a.mode === 'update') || b.rssi - a.rssi);
          give(ok({ devices }));
        }, ms),
    };
  }

  private batch(body: SmpBody): SimReply {
    const { sha, targets, batch_size: size, redundancy, confirm } = body;
    if (!(sha instanceof Uint8Array) || !Array.isArray(targets) || targets.length === 0 || typeof size !== 'number' || size < 1 || typeof redundancy !== 'number' || redundancy < 0) {
      return legacyFail(MgmtErr.EINVAL);
    }
    const staged = this.stage.staged;
    if (!staged || !sameBytes(staged.sha, sha)) return { body: { rc: MgmtErr.EINVAL, rsn: 'no staged image with this sha' } };
    const board = inspectSlotImage(staged.bytes)?.board;
    for (const t of targets) {
      const ep = typeof t === 'string' ? this.r.endpoints.get(t) : undefined;
      if (!ep) return { body: { rc: MgmtErr.EINVAL, rsn: `unknown target ${String(t)}` } };
      if (board !== undefined && ep.device.board !== board) return { body: { rc: MgmtErr.EINVAL, rsn: `image is for board ${board}, device ${ep.id} is ${ep.device.board}` } };
    }
    const job = this.nextJob++;
    const b = new GatewayBatch(job, targets as string[], {
      clock: this.dev.clock,
      random: this.r.random,
      radio: this.r.radio,
      endpoints: this.r.endpoints,
      image: staged.bytes,
      sha: staged.sha,
      batchSize: Math.min(size, this.r.maxBatchSize),
      redundancy,
      confirm: confirm === true,
      onEnd: () => this.batchEvents.emit({ job, event: 'ended', targets: targets as string[] }),
      ...(this.r.rejoinTimeoutMs ? { rejoinTimeoutMs: this.r.rejoinTimeoutMs } : {}),
    });
    this.batches.set(job, b);
    return {
      body: { job },
      after: () => {
        this.batchEvents.emit({ job, event: 'started', targets: targets as string[] });
        b.start();
      },
    };
  }

  private withJob(body: SmpBody, fn: (b: GatewayBatch) => SimReply): SimReply {
    const b = typeof body.job === 'number' ? this.batches.get(body.job) : undefined;
    return b ? fn(b) : legacyFail(MgmtErr.ENOENT);
  }

  /** Sends the packet down, lets the device answer, brings the answer up; retried on loss. */
  private forward(body: SmpBody): SimReply {
    const { target, packet } = body;
    const ep = typeof target === 'string' ? this.r.endpoints.get(target) : undefined;
    if (!ep) return legacyFail(MgmtErr.ENOENT);
    if (!(packet instanceof Uint8Array)) return legacyFail(MgmtErr.EINVAL);
    return {
      body: {},
      defer: (give) => {
        const attempt = (n: number) => {
          if (n >= FORWARD_ATTEMPTS) return give(legacyFail(MgmtErr.ETIMEOUT));
          const down = framePeriodMs(this.r.radio, packet.length);
          if (!delivered(ep.link, this.dev.clock.now(), this.r.random)) return this.dev.clock.schedule(() => attempt(n + 1), down);
          this.dev.clock.schedule(() => {
            ep.exchange(packet, FORWARD_TIMEOUT_MS, (answer) => {
              if (!answer || !delivered(ep.link, this.dev.clock.now(), this.r.random)) return attempt(n + 1);
              give(ok({ packet: answer }, airtimeMs(this.r.radio, answer.length)));
            });
          }, down);
        };
        attempt(0);
      },
    };
  }

  private led(body: SmpBody): SimReply {
    const { target, pattern } = body;
    if (typeof pattern !== 'string' || !PATTERNS.includes(pattern as LedPattern)) return legacyFail(MgmtErr.EINVAL);
    if (target === undefined || target === this.dev.id) {
      this.dev.setLed(pattern as LedPattern, pattern === 'identify' ? 10_000 : undefined);
      return ok();
    }
    const ep = typeof target === 'string' ? this.r.endpoints.get(target) : undefined;
    if (!ep) return legacyFail(MgmtErr.ENOENT);
    if (!inRange(ep.link, this.dev.clock.now()) || !ep.device.isUp) return legacyFail(MgmtErr.ETIMEOUT);
    ep.device.setLed(pattern as LedPattern, pattern === 'identify' ? 10_000 : undefined);
    return ok({}, framePeriodMs(this.r.radio, this.r.radio.controlBytes));
  }
}
