import { fieldIdentity } from '../devices/commands/field';
import { imageConfirm, imageState, imageTest } from '../devices/commands/image';
import { reset } from '../devices/commands/os';
import { settingsCommit, settingsRead, settingsSave, settingsWrite } from '../devices/commands/settings';
import { DeviceError } from '../devices/errors';
import type { SmpSession } from '../devices/session';
import { SiteflashError } from '../errors';
import type { GatewayClient } from '../gateway/gateway-client';
import { GatewayBatches, type BatchWaiter } from '../gateway/batch-coordinator';
import { sleep, systemClock, type Clock } from '../links/clock';
import type { DeviceConnection, DeviceDriver, DeviceFacts, JobImage, TransferResult } from './driver';
import { JobError } from './errors';
import type { JobTarget } from './types';

/** Options of {@link GatewayDriver}. */
export interface GatewayDriverOptions {
  /** A client on an open session to the gateway. */
  client: GatewayClient;
  /** The gateway's SMP buffer size (mcumgr params), for staging. */
  gatewayBufSize: number;
  clock?: Clock;
  /** Devices per radio batch (default 10). */
  batchSize?: number;
  /** Percent of parity fragments (default 20). */
  redundancy?: number;
  /** Quiet time after the last device asked for the image before the batch starts (default 3 s). */
  gatherMs?: number;
  /** batch_status polling interval (default 1 s). */
  pollMs?: number;
}

/** Name prefix of the loopback target links that mean "device `<id>` behind the gateway". */
export const GATEWAY_TARGET_PREFIX = 'gateway/';

/**
 * The job target for device `deviceId` behind a gateway: its key is `loopback:gateway/<gateway>/<id>`
 * when the gateway is named (several gateways), `loopback:gateway/<id>` otherwise (the only one).
 */
export function gatewayTarget(deviceId: string, gatewayId?: string): JobTarget {
  return { link: { kind: 'loopback', name: `${GATEWAY_TARGET_PREFIX}${gatewayId ? `${gatewayId}/` : ''}${deviceId}` }, expectedDeviceId: deviceId };
}

/** The device and, when named, the gateway of a gateway target; null for any other target. */
export function gatewayTargetParts(target: JobTarget): { deviceId: string; gatewayId: string | null } | null {
  const l = target.link;
  if (l.kind !== 'loopback' || !l.name.startsWith(GATEWAY_TARGET_PREFIX)) return null;
  const parts = l.name.slice(GATEWAY_TARGET_PREFIX.length).split('/');
  const deviceId = parts.at(-1) ?? '';
  return { deviceId: target.expectedDeviceId ?? deviceId, gatewayId: parts.length > 1 ? (parts[0] ?? null) : null };
}

/**
 * The batch engine's driver for devices behind a gateway: identity, image state, LED and
 * confirm go over `forward`; the transfer joins the devices that ask for the same image within
 * `gatherMs` into one gateway `batch` (multicast with parity), followed by `batch_status`. The
 * gateway test-marks and resets on its own, so `markTest` and `reset` only act for a device that
 * is not in a batch (e.g. the engine resumed after a restart).
 */
export class GatewayDriver implements DeviceDriver {
  readonly name = 'gateway';
  private readonly clock: Clock;
  private readonly batches: GatewayBatches;

  constructor(private readonly o: GatewayDriverOptions) {
    this.clock = o.clock ?? systemClock;
    this.batches = new GatewayBatches(o.client, {
      clock: this.clock,
      gatewayBufSize: o.gatewayBufSize,
      batchSize: o.batchSize ?? 10,
      redundancy: o.redundancy ?? 20,
      gatherMs: o.gatherMs ?? 3000,
      pollMs: o.pollMs ?? 1000,
    });
  }

  /** Batch size and redundancy for the radio batches this driver starts from now on. */
  configureBatches(s: { batchSize: number; redundancy: number }): void {
    this.batches.configure(s);
  }

  async connect(target: JobTarget, signal: AbortSignal): Promise<DeviceConnection> {
    signal.throwIfAborted();
    const id = gatewayTargetParts(target)?.deviceId ?? target.expectedDeviceId;
    if (!id) throw new SiteflashError('job-invalid', 'A gateway job target must name the device (gateway/<EUI-64>).');
    const session = await this.o.client.forwardSession(id);
    return new GatewayConnection(id, session, this.o.client, this.batches, this.clock);
  }
}

class GatewayConnection implements DeviceConnection {
  readonly linkId: string;
  private waiter: BatchWaiter | undefined;

  constructor(
    private readonly id: string,
    private readonly session: SmpSession,
    private readonly client: GatewayClient,
    private readonly batches: GatewayBatches,
    private readonly clock: Clock,
  ) {
    this.linkId = session.link.id;
    this.waiter = batches.waiterFor(id);
  }

  async identify(signal: AbortSignal): Promise<DeviceFacts> {
    return this.viaGateway(() => this.facts(signal));
  }

  private async facts(signal: AbortSignal): Promise<DeviceFacts> {
    const identity = await fieldIdentity(this.session, signal);
    const slots = (await imageState(this.session, signal)).map((s) => ({ slot: s.slot, version: s.version, hash: Buffer.from(s.hash).toString('hex'), active: s.active, pending: s.pending, confirmed: s.confirmed }));
    if (!identity) return { slots };
    return { deviceId: identity.id, board: identity.board, hwRev: identity.hw, mode: identity.mode, version: identity.version, led: identity.led, ...(identity.pan === undefined ? {} : { pan: identity.pan }), slots };
  }

  async showLed(pattern: 'update-mode' | 'joined' | 'identify', signal: AbortSignal): Promise<boolean> {
    await this.client.led(pattern, this.id, signal);
    return true;
  }

  async transfer(image: JobImage, onProgress: (bytes: number, total: number, rate: number) => void, signal: AbortSignal): Promise<TransferResult> {
    this.waiter = this.batches.join(this.id, image, onProgress, signal);
    const t = await this.waiter.until(['installing', 'rebooting', 'joined', 'rolled_back'], signal);
    return { resumedFrom: 0, total: t.total };
  }

  async markTest(image: JobImage, signal: AbortSignal): Promise<void> {
    if (this.waiter) return; // the gateway test-marks the image itself
    await imageTest(this.session, image.hash, signal);
  }

  async reset(signal: AbortSignal): Promise<void> {
    if (this.waiter) return; // the gateway resets the device itself
    await reset(this.session, { signal }).catch((err: unknown) => {
      if (!(err instanceof DeviceError && err.kind === 'timeout')) throw err;
    });
  }

  async awaitRejoin(timeoutMs: number, signal: AbortSignal): Promise<DeviceFacts> {
    if (this.waiter) await this.waiter.until(['joined', 'rolled_back'], signal);
    const deadline = this.clock.now() + timeoutMs;
    for (;;) {
      try {
        return await this.identify(signal);
      } catch (err) {
        if (!(err instanceof DeviceError && err.kind === 'timeout') || this.clock.now() >= deadline) {
          if (err instanceof DeviceError && err.kind === 'timeout') throw new JobError('rejoin-timeout', `Device ${this.id} did not answer through the gateway within ${Math.round(timeoutMs / 1000)} s of its reset.`);
          throw err;
        }
        await sleep(this.clock, 1000, signal);
      }
    }
  }

  async confirm(signal: AbortSignal): Promise<void> {
    await imageConfirm(this.session, undefined, signal);
  }

  async writeSettings(values: readonly { name: string; val: Uint8Array }[], signal: AbortSignal): Promise<void> {
    await this.viaGateway(async () => {
      for (const v of values) await settingsWrite(this.session, v.name, v.val, signal);
    });
  }

  async readSetting(name: string, signal: AbortSignal): Promise<Uint8Array> {
    return this.viaGateway(() => settingsRead(this.session, name, signal));
  }

  async commitSave(signal: AbortSignal): Promise<void> {
    await this.viaGateway(async () => {
      await settingsCommit(this.session, signal);
      await settingsSave(this.session, undefined, signal);
    });
  }

  /** A forwarded request that times out means the device is out of the gateway's reach: say so. */
  private async viaGateway<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof DeviceError && err.kind === 'timeout')) throw err;
      throw new DeviceError('timeout', `Device ${this.id} does not answer through the gateway (out of range or without power).`);
    }
  }

  async close(): Promise<void> {
    this.session.dispose();
    await this.session.link.close();
  }
}
