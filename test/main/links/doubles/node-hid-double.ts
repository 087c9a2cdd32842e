import { EventEmitter } from 'node:events';
import type { Clock } from '../../../../main/links/clock';
import type { HidDeviceInfo } from '../../../../main/links/hid-node';
import type { SimDevice } from '../../../../main/sim/device';
import { SimTransport, type LinkFaults } from '../../../../main/sim/sim-transport';

/** One simulated USB HID interface plugged into the double. */
export interface HidPlug {
  info: HidDeviceInfo & { path: string };
  device: SimDevice;
  /** Input reports carry the report id as byte 0 (Windows, Linux hidraw) or not (some macOS). Default true. */
  includeReportId?: boolean;
  faults?: LinkFaults;
  /** The OS refuses to open it (no udev rule, another program holds it). */
  refuseOpen?: boolean;
}

/**
 * A double of `node-hid` with its own API shape: `devicesAsync()` and `HIDAsync.open(path)`
 * giving a device with `write(report)`, 'data' and 'error' events and `close()`. Behind each
 * interface a simulated device (main/sim) speaks the real SMP HID framing (hid-transport.md)
 * through a {@link SimTransport}; unplugging makes open handles emit 'error', as node-hid does
 * when its read thread fails.
 */
export class NodeHidDouble {
  private readonly plugged = new Map<string, HidPlug>();
  private readonly handles = new Set<HidHandleDouble>();
  /** Every output report written, per path. */
  readonly written: { path: string; report: Uint8Array }[] = [];
  readonly HIDAsync = { open: (path: string) => this.open(path) };

  constructor(readonly clock: Clock) {}

  plug(p: HidPlug): void {
    this.plugged.set(p.info.path, p);
  }

  /** Pulls the cable: the interface leaves the list and open handles fail. */
  unplug(path: string): void {
    this.plugged.delete(path);
    for (const h of [...this.handles]) if (h.path === path) h.fail(new Error('could not read from HID device'));
  }

  async devicesAsync(): Promise<HidDeviceInfo[]> {
    return [...this.plugged.values()].map((p) => ({ ...p.info }));
  }

  /** Injects a raw input report on every open handle of `path` (as the device would send it). */
  inject(path: string, report: Uint8Array): void {
    for (const h of this.handles) if (h.path === path) h.input(report);
  }

  private async open(path: string): Promise<HidHandleDouble> {
    const p = this.plugged.get(path);
    if (!p || p.refuseOpen) throw new Error(`cannot open device with path ${path}`);
    const transport = new SimTransport(p.device, { framing: 'hid', clock: this.clock, ...(p.faults ? { faults: p.faults } : {}) });
    const handle = new HidHandleDouble(path, transport, p.includeReportId ?? true, (report) => this.written.push({ path, report }), () => this.handles.delete(handle));
    this.handles.add(handle);
    return handle;
  }
}

/** An open `HIDAsync`. */
export class HidHandleDouble extends EventEmitter {
  private closed = false;
  private failed = false;

  constructor(
    readonly path: string,
    private readonly transport: SimTransport,
    private readonly includeReportId: boolean,
    private readonly record: (report: Uint8Array) => void,
    private readonly forget: () => void,
  ) {
    super();
    transport.onOutput((report) => this.input(report));
  }

  async write(values: number[] | Buffer): Promise<number> {
    if (this.closed || this.failed) throw new Error('Cannot write to hid device');
    const report = Uint8Array.from(values);
    this.record(report);
    queueMicrotask(() => !this.closed && this.transport.input(report));
    return report.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.transport.dispose();
    this.forget();
  }

  /** A report from the device, as hidapi's read hands it over. */
  input(report: Uint8Array): void {
    if (this.closed || this.failed) return;
    this.emit('data', Buffer.from(this.includeReportId ? report : report.subarray(1)));
  }

  fail(err: Error): void {
    if (this.closed || this.failed) return;
    this.failed = true;
    this.emit('error', err);
  }
}
