import { fieldIdentity, type DeviceIdentity, type LedPattern } from '../devices/commands/field';
import { DeviceError } from '../devices/errors';
import type { ImageSource } from '../devices/image-source';
import { SmpSession } from '../devices/session';
import { uploadImage, type UploadResult } from '../devices/upload';
import { systemClock, type Clock } from '../links/clock';
import { FieldCmd, SmpGroup, type SmpBody } from '../smp';
import { GatewayError } from './errors';
import { parseBatchStatus, parseScan, type BatchStatus, type ScannedDevice } from './answers';
import { RelayLink } from './relay-link';
import { stageRelay, stageBufSize } from './stage-relay';

/** Options of {@link GatewayClient}. */
export interface GatewayClientOptions {
  clock?: Clock;
  /** Time a forwarded request may take over the radio, retries included (default 20 s). */
  forwardTimeoutMs?: number;
}

/** What a gateway batch is asked to do (field-group.md command 3). */
export interface BatchRequest {
  /** SHA-256 of the staged image file. */
  sha: Uint8Array;
  /** EUI-64s of the devices to update. */
  targets: string[];
  batchSize: number;
  /** Percent of extra parity fragments. */
  redundancy: number;
  /** Let the gateway confirm the new image once a device joined (false: the caller confirms over forward). */
  confirm: boolean;
}

/** Options of {@link GatewayClient.stage}. */
export interface StageOptions {
  /** The gateway's SMP buffer size (mcumgr params). */
  bufSize: number;
  sha?: Uint8Array;
  onProgress?: (bytes: number, total: number, rate: number, etaSeconds: number) => void;
  /** Reopens the gateway's link after it dropped; the stage then resumes where the gateway is. */
  reconnect?: (signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
}

/**
 * The field group's gateway commands (field-group.md) over an SMP session to a gateway:
 * identity, scan, stage, batch, batch_status, batch_cancel, forward and led.
 */
export class GatewayClient {
  private readonly clock: Clock;

  constructor(
    readonly session: SmpSession,
    private readonly o: GatewayClientOptions = {},
  ) {
    this.clock = o.clock ?? systemClock;
  }

  /** Reads the identity and checks that it is a gateway. */
  async identity(signal?: AbortSignal): Promise<DeviceIdentity> {
    const id = await fieldIdentity(this.session, signal);
    if (!id) throw new GatewayError('not-a-gateway', 'This device has no field group: it is not a siteflash gateway.');
    if (id.role !== 'gateway') throw new GatewayError('not-a-gateway', `Device ${id.id} (${id.board}) is a field device, not a gateway.`);
    return id;
  }

  /** Listens for `ms` (default the gateway's 3 s) and lists the devices heard, update-mode first. */
  async scan(ms?: number, signal?: AbortSignal): Promise<ScannedDevice[]> {
    const body = await this.call('read', FieldCmd.scan, ms === undefined ? {} : { ms }, { idempotent: true, timeoutMs: (ms ?? 3000) + 5000, signal });
    return parseScan(body);
  }

  /** Puts the image on the gateway, resumable, with the same machinery as an image upload. */
  async stage(source: ImageSource, o: StageOptions): Promise<UploadResult> {
    const link = new RelayLink(`${this.session.link.id}#stage`, stageRelay(this.session, (this.o.forwardTimeoutMs ?? 20_000) / 2, o.reconnect));
    await link.open();
    const relayed = new SmpSession(link, { clock: this.clock, window: this.session.window, timeoutMs: (this.o.forwardTimeoutMs ?? 20_000) / 2 + 1000 });
    try {
      const result = await uploadImage(relayed, source, {
        bufSize: stageBufSize(this.session.link, o.bufSize),
        clock: this.clock,
        ...(o.sha ? { sha: o.sha } : {}),
        ...(o.onProgress ? { onProgress: o.onProgress } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
      });
      if (result.match === false) throw new GatewayError('stage-mismatch', 'The gateway stored the image but its SHA-256 does not match; stage it again.');
      return result;
    } finally {
      relayed.dispose();
      await link.close();
    }
  }

  /** Starts a batch; returns its job number. A refusal (image not staged, wrong board) rejects with SmpError. */
  async batch(req: BatchRequest, signal?: AbortSignal): Promise<number> {
    const body = await this.call('write', FieldCmd.batch, { sha: req.sha, targets: req.targets, batch_size: req.batchSize, redundancy: req.redundancy, confirm: req.confirm }, { signal });
    if (typeof body.job !== 'number') throw new DeviceError('protocol', 'The gateway started a batch but named no job.');
    return body.job;
  }

  /** Reads a batch's state and every target's. */
  async batchStatus(job: number, signal?: AbortSignal): Promise<BatchStatus> {
    return parseBatchStatus(await this.call('read', FieldCmd.batchStatus, { job }, { idempotent: true, signal }));
  }

  /** Cancels a batch: targets already installing finish, the rest end cancelled. */
  async batchCancel(job: number, signal?: AbortSignal): Promise<void> {
    await this.call('write', FieldCmd.batchCancel, { job }, { idempotent: true, signal });
  }

  /** Sends one whole SMP packet to `target` and returns its whole answer packet. */
  async forward(target: string, packet: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    const body = await this.call('write', FieldCmd.forward, { target, packet }, { timeoutMs: this.o.forwardTimeoutMs ?? 20_000, signal });
    if (!(body.packet instanceof Uint8Array)) throw new DeviceError('protocol', 'The gateway answered a forward without a packet.');
    return body.packet;
  }

  /**
   * An open SMP session to `target` through `forward`: every device command of main/devices
   * runs on it unchanged. Dispose the session and close its link when done.
   */
  async forwardSession(target: string): Promise<SmpSession> {
    const link = new RelayLink(`gateway:${this.session.link.id}/${target}`, (packet, signal) => this.forward(target, packet, signal));
    await link.open();
    return new SmpSession(link, { clock: this.clock, timeoutMs: (this.o.forwardTimeoutMs ?? 20_000) + 1000, retries: 1 });
  }

  /** Makes `target` (or the gateway itself) show `pattern`, e.g. `identify`. */
  async led(pattern: LedPattern, target?: string, signal?: AbortSignal): Promise<void> {
    await this.call('write', FieldCmd.led, target === undefined ? { pattern } : { target, pattern }, { idempotent: true, signal });
  }

  private call(op: 'read' | 'write', id: number, body: SmpBody, o: { idempotent?: boolean; timeoutMs?: number; signal?: AbortSignal | undefined }): Promise<SmpBody> {
    return this.session.request({ op, group: SmpGroup.field, id, body, ...(o.idempotent ? { idempotent: true } : {}), ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}), ...(o.signal ? { signal: o.signal } : {}) });
  }
}
