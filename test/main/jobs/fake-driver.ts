import { createHash } from 'node:crypto';
import { DeviceError } from '../../../main/devices/errors';
import { bytesSource } from '../../../main/devices/image-source';
import { sleep, type Clock } from '../../../main/links/clock';
import type { DeviceConnection, DeviceDriver, DeviceFacts, JobImage, TransferResult } from '../../../main/jobs/driver';
import type { JobSpec, JobTarget, ReleaseComponent } from '../../../main/jobs/types';

/** How one fake device behaves. */
export interface FakeScript {
  board?: string;
  /** Link drops (transient) when the device holds at least this offset, once each. */
  dropAt?: number[];
  /** Connection attempts that fail as "port busy" before one succeeds. */
  busyConnects?: number;
  /** What the device runs after its reset. */
  bootsInto?: 'new' | 'old';
  /** Boot time after a reset, ms. */
  bootMs?: number;
}

export const OLD_HASH = 'aa'.repeat(32);

/** A device that lives in the test: it keeps its upload offset and slots across connections, like a real one. */
export class FakeDevice {
  offset = 0;
  slots: DeviceFacts['slots'] = [{ slot: 0, version: '1.0.0', hash: OLD_HASH, active: true, pending: false, confirmed: true }];
  up = true;
  readonly stats = { connects: 0, bytesSent: 0, transfers: 0, markTests: 0, resets: 0, confirms: 0, leds: [] as string[] };
  constructor(
    readonly id: string,
    readonly script: FakeScript,
  ) {}

  facts(): DeviceFacts {
    const active = this.slots.find((s) => s.active);
    return { deviceId: this.id, board: this.script.board ?? 'sf-board', hwRev: '1', mode: 'update', version: active?.version, slots: this.slots.map((s) => ({ ...s })) };
  }
}

/** A {@link DeviceDriver} over {@link FakeDevice}s on a fake clock: transfers 1000 bytes per 10 ms. */
export class FakeDriver implements DeviceDriver {
  readonly name = 'fake';
  readonly devices = new Map<string, FakeDevice>();

  constructor(private readonly clock: Clock) {}

  add(name: string, script: FakeScript = {}): JobTarget {
    this.devices.set(`loopback:${name}`, new FakeDevice(`00000000000000${this.devices.size.toString(16).padStart(2, '0')}`, script));
    return { link: { kind: 'loopback', name } };
  }

  device(name: string): FakeDevice {
    const d = this.devices.get(`loopback:${name}`);
    if (!d) throw new Error(`no fake device ${name}`);
    return d;
  }

  async connect(target: JobTarget, signal: AbortSignal): Promise<DeviceConnection> {
    signal.throwIfAborted();
    if (target.link.kind !== 'loopback') throw new Error('fake driver: loopback targets only');
    const dev = this.devices.get(`loopback:${target.link.name}`);
    if (!dev) throw new Error('unknown fake device');
    dev.stats.connects++;
    if ((dev.script.busyConnects ?? 0) >= dev.stats.connects) throw new DeviceError('link-closed', 'The port is busy.');
    return new FakeConnection(dev, this.clock);
  }
}

class FakeConnection implements DeviceConnection {
  readonly linkId: string;
  constructor(
    private readonly dev: FakeDevice,
    private readonly clock: Clock,
  ) {
    this.linkId = `loopback:${dev.id}`;
  }

  async identify(signal: AbortSignal): Promise<DeviceFacts> {
    signal.throwIfAborted();
    if (!this.dev.up) throw new DeviceError('timeout', 'The device did not answer.');
    return this.dev.facts();
  }

  async showLed(pattern: string): Promise<boolean> {
    this.dev.stats.leds.push(pattern);
    return true;
  }

  async transfer(image: JobImage, onProgress: (b: number, t: number, r: number) => void, signal: AbortSignal): Promise<TransferResult> {
    const dev = this.dev;
    dev.stats.transfers++;
    const total = image.source.size;
    const resumedFrom = dev.offset;
    while (dev.offset < total) {
      await sleep(this.clock, 10, signal);
      const n = Math.min(1000, total - dev.offset);
      await image.source.read(dev.offset, n);
      dev.offset += n;
      dev.stats.bytesSent += n;
      onProgress(dev.offset, total, 100_000);
      const drop = dev.script.dropAt?.findIndex((at) => dev.offset >= at) ?? -1;
      if (drop >= 0) {
        dev.script.dropAt?.splice(drop, 1);
        throw new DeviceError('link-closed', 'The connection to the device closed.');
      }
    }
    dev.slots = [...dev.slots.filter((s) => s.slot === 0), { slot: 1, version: image.component.version, hash: image.component.imageHash, active: false, pending: false, confirmed: false }];
    return { resumedFrom, total };
  }

  async markTest(image: JobImage): Promise<void> {
    this.dev.stats.markTests++;
    for (const s of this.dev.slots) if (s.hash === image.component.imageHash) s.pending = true;
  }

  async reset(): Promise<void> {
    const dev = this.dev;
    dev.stats.resets++;
    dev.up = false;
    this.clock.schedule(() => {
      const pending = dev.slots.find((s) => s.pending);
      if (pending && (dev.script.bootsInto ?? 'new') === 'new') {
        const old = dev.slots.find((s) => s.active);
        dev.slots = [
          { ...pending, slot: 0, active: true, pending: false, confirmed: false },
          ...(old ? [{ ...old, slot: 1, active: false, confirmed: false }] : []),
        ];
      } else if (pending) pending.pending = false;
      dev.up = true;
    }, dev.script.bootMs ?? 50);
  }

  async awaitRejoin(timeoutMs: number, signal: AbortSignal): Promise<DeviceFacts> {
    const deadline = this.clock.now() + timeoutMs;
    while (!this.dev.up) {
      if (this.clock.now() > deadline) throw new DeviceError('timeout', 'The device did not come back.');
      await sleep(this.clock, 10, signal);
    }
    return this.dev.facts();
  }

  async confirm(): Promise<void> {
    this.dev.stats.confirms++;
    for (const s of this.dev.slots) if (s.active) s.confirmed = true;
  }

  async close(): Promise<void> {}
}

/** An image of `size` bytes and its component; `open` serves it from memory. */
export function fakeImage(size = 10_000, board: string | null = 'sf-board') {
  const bytes = new Uint8Array(size).map((_, i) => i & 0xff);
  const component: ReleaseComponent = {
    board,
    version: '1.1.0+0',
    path: '/fake/image.bin',
    size,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    imageHash: 'bb'.repeat(32),
  };
  return { bytes, component, open: async () => bytesSource(bytes) };
}

/** A job spec over the given targets. */
export function specFor(targets: JobTarget[], component: ReleaseComponent, policy: Partial<JobSpec['policy']> = {}): JobSpec {
  return {
    release: { kind: 'image', name: 'image.bin', components: [component] },
    targets,
    policy: { ledConfirm: false, retries: 3, afterRejoin: 'confirm', backoff: { baseMs: 100, capMs: 1000 }, ...policy },
    technician: 'Ada Tech',
    site: 'North Plant',
  };
}
