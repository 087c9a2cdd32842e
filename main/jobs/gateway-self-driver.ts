import { fieldIdentity } from '../devices/commands/field';
import { imageConfirm, imageState, imageTest } from '../devices/commands/image';
import { DeviceError } from '../devices/errors';
import { rejoinAfterReset, reopenWithBackoff, resetThenLook } from '../devices/reconnect';
import type { SmpSession } from '../devices/session';
import { uploadImage } from '../devices/upload';
import { SiteflashError } from '../errors';
import type { OpenGateway } from '../gateway/gateway-connection';
import { systemClock, type Clock } from '../links/clock';
import type { DeviceConnection, DeviceDriver, DeviceFacts, JobImage, TransferResult } from './driver';
import { JobError } from './errors';
import type { JobTarget } from './types';

/** Name prefix of the loopback target links that mean "the gateway `<id>` itself". */
export const GATEWAY_SELF_PREFIX = 'gateway-self/';

/** The job target for a gateway's own firmware (key `loopback:gateway-self/<id>`), updated before its devices. */
export function gatewaySelfTarget(gatewayId: string): JobTarget {
  return { link: { kind: 'loopback', name: `${GATEWAY_SELF_PREFIX}${gatewayId}` }, expectedDeviceId: gatewayId, role: 'gateway' };
}

/** The gateway of a gateway-self target; null for any other target. */
export function gatewaySelfId(target: JobTarget): string | null {
  const l = target.link;
  return l.kind === 'loopback' && l.name.startsWith(GATEWAY_SELF_PREFIX) ? l.name.slice(GATEWAY_SELF_PREFIX.length) : null;
}

/** Options of {@link GatewaySelfDriver}. */
export interface GatewaySelfDriverOptions {
  /** The connected gateway with this id, or null. */
  gateway(id: string): OpenGateway | null;
  /** Marks the gateway as installing (scan paused, a restart is not a loss) until `end`. */
  beginInstall(id: string): { end(): Promise<void> };
  clock?: Clock;
  /** After the reset on a link that stays open, wait this long before asking (default 1 s). */
  resetSettleMs?: number;
  /** How long to wait for the gateway's port to come back after its restart (default 60 s). */
  reconnectTimeoutMs?: number;
}

/**
 * Updates a gateway's own firmware over the link the app already holds to it (the vendor's
 * procedure: the gateway first, then its devices): SMP upload to the gateway, test, reset, wait
 * for it to answer again (reopening its port if the restart dropped it), confirm. The engine
 * checks that the gateway that answers is the one that was reset before it records anything.
 */
export class GatewaySelfDriver implements DeviceDriver {
  readonly name = 'gateway-self';
  private readonly clock: Clock;

  constructor(private readonly o: GatewaySelfDriverOptions) {
    this.clock = o.clock ?? systemClock;
  }

  async connect(target: JobTarget, signal: AbortSignal): Promise<DeviceConnection> {
    signal.throwIfAborted();
    const id = gatewaySelfId(target);
    if (!id) throw new SiteflashError('job-invalid', 'A gateway firmware target must name the gateway (gateway-self/<EUI-64>).');
    const g = this.o.gateway(id);
    if (!g) throw new SiteflashError('no-gateway', `The gateway ${id} is not connected: connect it on the Connect screen, then retry.`);
    return new GatewaySelfConnection(g, this.o.beginInstall(id), this.clock, this.o);
  }
}

class GatewaySelfConnection implements DeviceConnection {
  readonly linkId: string;
  private readonly session: SmpSession;

  constructor(
    private readonly g: OpenGateway,
    private readonly install: { end(): Promise<void> },
    private readonly clock: Clock,
    private readonly o: GatewaySelfDriverOptions,
  ) {
    this.session = g.session;
    this.linkId = `gateway:${g.info.via ?? g.info.id ?? ''}`;
  }

  async identify(signal: AbortSignal): Promise<DeviceFacts> {
    const identity = await fieldIdentity(this.session, signal);
    const slots = (await imageState(this.session, signal)).map((s) => ({ slot: s.slot, version: s.version, hash: Buffer.from(s.hash).toString('hex'), active: s.active, pending: s.pending, confirmed: s.confirmed }));
    if (!identity) return { slots };
    return { deviceId: identity.id, board: identity.board, hwRev: identity.hw, mode: identity.mode, version: identity.version, led: identity.led, slots };
  }

  async showLed(): Promise<boolean> {
    return false;
  }

  async transfer(image: JobImage, onProgress: (bytes: number, total: number, rate: number) => void, signal: AbortSignal): Promise<TransferResult> {
    const link = this.session.link;
    const result = await uploadImage(this.session, image.source, {
      bufSize: this.g.bufSize,
      sha: image.sha,
      clock: this.clock,
      reconnect: async (s) => reopenWithBackoff(link, { clock: this.clock, timeoutMs: 10_000, ...(s ? { signal: s } : {}) }),
      onProgress,
      signal,
    });
    if (result.match === false) throw new DeviceError('protocol', 'The gateway wrote its image but the SHA-256 does not match.');
    return { resumedFrom: result.resumedFrom, total: result.total };
  }

  async markTest(image: JobImage, signal: AbortSignal): Promise<void> {
    await imageTest(this.session, image.hash, signal);
  }

  async reset(signal: AbortSignal): Promise<void> {
    await resetThenLook(this.session, signal);
  }

  awaitRejoin(timeoutMs: number, signal: AbortSignal): Promise<DeviceFacts> {
    const waitMs = Math.max(timeoutMs, this.o.reconnectTimeoutMs ?? 60_000);
    return rejoinAfterReset(this.session.link, {
      clock: this.clock,
      settleMs: this.o.resetSettleMs ?? 1000,
      timeoutMs: waitMs,
      signal,
      identify: (s) => this.identify(s),
      gaveUp: (seconds) => new JobError('rejoin-timeout', `The gateway did not answer again within ${seconds} s of its restart; check its power and LED, then retry.`),
    });
  }

  async confirm(signal: AbortSignal): Promise<void> {
    await imageConfirm(this.session, undefined, signal);
  }

  async close(): Promise<void> {
    // The link stays the app's gateway link; only the install mark ends (the scan resumes).
    await this.install.end();
  }
}
