import type { DemoDevice, DemoSite } from '../../preload/api';
import { SiteflashError } from '../errors';
import { systemClock, type Clock } from '../links/clock';
import { LinkError, type Link } from '../links/link';
import { Listeners } from '../links/listeners';
import { SimDevice } from '../sim/device';
import { createSimGateway, type SimGateway } from '../sim/gateway';
import { buildSimImage } from '../sim/image-builder';
import { createSimLink } from '../sim/sim-link';
import { fieldVersionText } from '../sim/slot-image';
import { DEMO_BOARDS } from './demo-catalog';

/** Devices of each demo board behind the gateway (3 boards × 4 = a dozen). */
const PER_BOARD_BEHIND_GATEWAY = 4;
/** A radio fast enough that a demo batch takes about a minute, not the real half hour. */
export const DEMO_RADIO = { bitRate: 1_000_000, dutyCycle: 1 };
/** Flash and boot a little faster than real devices, so a demo visit stays short. */
const DEMO_TIMING = { writeBytesPerMs: 200, eraseMsPerSector: 5, bootMs: 800, swapMsPerSector: 4 };

/** A direct demo device: its simulator, the one link the app uses to reach it, and a fault switch. */
interface DirectDevice {
  device: SimDevice;
  link: DemoLink;
}

/**
 * The built-in demo site: a simulated gateway with a dozen devices of the three demo boards behind
 * its radio, and one directly connected device of each board. Everything runs in this process on
 * real time; the app reaches the gateway and the direct devices through ordinary Links, so every
 * layer above (sessions, gateway client, engine, journal) runs exactly as with hardware.
 */
export class DemoSiteRunner {
  private sim: SimGateway | null = null;
  private direct = new Map<string, DirectDevice>();
  private gatewayLink: Link | null = null;
  /** Devices whose next update must fail (one-shot), by id. */
  private readonly failing = new Set<string>();
  private readonly changes = new Listeners<DemoSite>();
  private ticker: (() => void) | null = null;
  /** The last site sent to listeners: the periodic check only sends a changed one. */
  private lastEmitted = '';

  constructor(private readonly clock: Clock = systemClock) {}

  get running(): boolean {
    return this.sim !== null;
  }

  onChange(listener: (site: DemoSite) => void): () => void {
    return this.changes.add(listener);
  }

  /** Starts the site (no-op when it runs); returns the link to its gateway. */
  start(): Link {
    if (this.sim && this.gatewayLink) return this.gatewayLink;
    this.sim = createSimGateway({
      clock: this.clock,
      seed: 2026,
      radio: DEMO_RADIO,
      maxBatchSize: 12,
      timing: { baud: 0 },
      devices: DEMO_BOARDS.map((b) => ({
        board: b.board,
        count: PER_BOARD_BEHIND_GATEWAY,
        version: b.installedVersion,
        updateMode: false,
        device: { hwRev: b.hwRevisions[0]!, timing: DEMO_TIMING },
      })),
    });
    this.gatewayLink = createSimLink(this.sim.gateway, { clock: this.clock, framing: 'serial', name: 'demo-gateway', unplugOnReset: false });
    DEMO_BOARDS.forEach((b, i) => {
      const id = `5f1a0d00000000${(i + 1).toString(16).padStart(2, '0')}`;
      const device = new SimDevice({
        board: b.board,
        id,
        hwRev: b.hwRevisions.at(-1)!,
        clock: this.clock,
        image: buildSimImage({ version: b.installedVersion, board: b.board }),
        timing: DEMO_TIMING,
      });
      this.direct.set(id, { device, link: new DemoLink(createSimLink(device, { clock: this.clock, framing: 'serial', name: `demo/${id}` }), () => this.failing.has(id)) });
    });
    // LEDs and modes change on their own (update mode times out, `joined` ends): tell the app when they do.
    const tick = () => {
      if (JSON.stringify(this.snapshot()) !== this.lastEmitted) this.emit();
      this.ticker = this.clock.schedule(tick, 2000);
    };
    this.ticker = this.clock.schedule(tick, 2000);
    this.emit();
    return this.gatewayLink;
  }

  stop(): void {
    this.ticker?.();
    this.ticker = null;
    this.sim?.dispose();
    for (const d of this.direct.values()) d.device.dispose();
    this.sim = null;
    this.gatewayLink = null;
    this.direct.clear();
    this.failing.clear();
    this.emit();
  }

  /** The link to a direct demo device (the same object every time: one owner of its port). */
  directLink(id: string): Link {
    const d = this.direct.get(id);
    if (!d) throw new SiteflashError('demo-device-not-found', `No direct demo device ${id}; is the demo site running?`);
    return d.link;
  }

  isDirect(id: string): boolean {
    return this.direct.has(id);
  }

  /** The magnet on the marked spot while the OTG adapter goes in and out. */
  enterUpdateMode(id: string): DemoSite {
    this.find(id).enterUpdateMode();
    return this.emit();
  }

  /**
   * Makes the device's next update fail once: a gateway device walks out of radio range, a direct
   * one is unplugged. It comes back when `deviceFailed` tells that the failure was recorded.
   */
  injectFailure(id: string): DemoSite {
    this.find(id);
    this.failing.add(id);
    const endpoint = this.sim?.endpoints.get(id);
    if (endpoint) endpoint.link.outOfRangeAt = this.clock.now();
    return this.emit();
  }

  /** The engine recorded a device's failure: an injected fault ends there (it was one-shot). */
  deviceFailed(id: string): void {
    if (!this.failing.delete(id)) return;
    const endpoint = this.sim?.endpoints.get(id);
    if (endpoint) delete endpoint.link.outOfRangeAt;
    this.emit();
  }

  snapshot(): DemoSite {
    if (!this.sim) return { running: false, gatewayId: null, devices: [] };
    const view = (d: SimDevice, via: DemoDevice['via']): DemoDevice => {
      const img = d.flash.image(0);
      return { id: d.id, board: d.board, hw: d.hwRev, version: img ? fieldVersionText(img.version) : '0.0.0+0', via, mode: d.mode, led: d.led };
    };
    return {
      running: true,
      gatewayId: this.sim.gateway.id,
      devices: [...this.sim.devices.map((d) => view(d, 'gateway')), ...[...this.direct.values()].map((d) => view(d.device, 'direct'))],
    };
  }

  private find(id: string): SimDevice {
    const device = this.sim?.devices.find((d) => d.id === id) ?? this.direct.get(id)?.device;
    if (!device) throw new SiteflashError('demo-device-not-found', `No demo device ${id}; is the demo site running?`);
    return device;
  }

  private emit(): DemoSite {
    const site = this.snapshot();
    this.lastEmitted = JSON.stringify(site);
    this.changes.emit(site);
    return site;
  }
}

/** A direct demo device's link, which refuses to open while an injected "unplugged" fault lasts. */
class DemoLink implements Link {
  constructor(
    private readonly inner: Link,
    private readonly unplugged: () => boolean,
  ) {}
  get id() { return this.inner.id; }
  get kind() { return this.inner.kind; }
  get framing() { return this.inner.framing; }
  get maxWrite() { return this.inner.maxWrite; }
  get isOpen() { return this.inner.isOpen; }
  async open(signal?: AbortSignal): Promise<void> {
    if (this.unplugged()) throw new LinkError('not-found', 'The demo device was unplugged (an injected demo failure).', 'Plug it in again and retry.');
    return this.inner.open(signal);
  }
  close() { return this.inner.close(); }
  write(data: Uint8Array) {
    if (this.unplugged()) return this.inner.close();
    return this.inner.write(data);
  }
  onData(listener: (data: Uint8Array) => void) { return this.inner.onData(listener); }
  onClose(listener: Parameters<Link['onClose']>[0]) { return this.inner.onClose(listener); }
}
