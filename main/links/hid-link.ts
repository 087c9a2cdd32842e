import { HID_FIRST, HID_REPORT_ID } from '../smp/hid-framing';
import { hidOpenError, listHidInterfaces, resolveNodeHid, type HidDeviceLike, type HidFilter, type NodeHidLike } from './hid-node';
import { LinkError, type Link, type LinkCloseReason } from './link';
import { Listeners } from './listeners';

/**
 * Whether input reports arrive with the report id as byte 0. hidapi passes it on Windows and
 * Linux hidraw for numbered reports; some macOS versions strip it. `auto` decides from the first
 * report that tells (see {@link ReportIdDetector}).
 */
export type ReportIdOnRead = 'auto' | 'included' | 'stripped';

/** Where and how to open a HID link. */
export interface HidLinkOptions {
  /** OS path from node-hid's list (`/dev/hidraw3`, `\\?\hid#vid_2fe3…`, `DevSrvsID:…`). */
  path: string;
  /** node-hid, a double with its API shape (see {@link NodeHidLike}), or a loader run at the first open. */
  hid: NodeHidLike | (() => Promise<NodeHidLike>);
  /** USB serial number: after a replug the path may change, and the device is found by this. */
  serialNumber?: string;
  /** Vendor/product ids, to find the device again by serial number. */
  filter?: HidFilter;
  /** Report payload bytes after the id (hid-transport.md: 64). Writes are padded to 1 + this. */
  reportSize?: number;
  reportIdOnRead?: ReportIdOnRead;
}

/** Report payload bytes after the report id (hid-transport.md "Interface"). */
export const HID_REPORT_PAYLOAD = 64;

/**
 * A {@link Link} over a vendor-defined USB HID interface (hid-transport.md), framing `hid`.
 *
 * Each write is one output report, report id first, padded with zeros to the report size
 * (Windows refuses short reports). Each input report is one data event, always with the report
 * id as byte 0, whether or not the platform delivered it. node-hid's 'error' event (a read on a
 * device that is gone) closes the link with kind `unplugged`; open() again finds the device by
 * its path, or by its serial number when the replug gave it a new path.
 */
export class HidLink implements Link {
  readonly kind = 'hid';
  readonly framing = 'hid';
  readonly id: string;
  readonly maxWrite: number;
  private device: HidDeviceLike | undefined;
  private path: string;
  private readonly reportIds: ReportIdDetector;
  private readonly data = new Listeners<Uint8Array>();
  private readonly closes = new Listeners<LinkCloseReason>();

  constructor(readonly options: HidLinkOptions) {
    this.path = options.path;
    this.id = `hid:${options.serialNumber ?? options.path}`;
    this.maxWrite = 1 + (options.reportSize ?? HID_REPORT_PAYLOAD);
    this.reportIds = new ReportIdDetector(options.reportIdOnRead ?? 'auto');
  }

  get isOpen(): boolean {
    return this.device !== undefined;
  }

  /** The path the device was last opened at. */
  get currentPath(): string {
    return this.path;
  }

  async open(signal?: AbortSignal): Promise<void> {
    if (this.device) return;
    signal?.throwIfAborted();
    const hid = await resolveNodeHid(this.options.hid);
    const path = await this.locate(hid);
    let device: HidDeviceLike;
    try {
      device = await hid.HIDAsync.open(path);
    } catch (err) {
      const listed = (await listHidInterfaces(hid).catch(() => [])).some((d) => d.path === path);
      throw hidOpenError(err, path, listed);
    }
    if (signal?.aborted) {
      await device.close().catch(() => undefined);
      signal.throwIfAborted();
    }
    this.path = path;
    this.device = device;
    device.on('data', (report: Buffer) => {
      if (this.device !== device) return;
      this.data.emit(this.reportIds.normalise(new Uint8Array(report.buffer, report.byteOffset, report.length)));
    });
    device.on('error', (err: unknown) => {
      if (this.device !== device) return;
      this.device = undefined;
      device.removeAllListeners('data');
      void device.close().catch(() => undefined);
      const text = err instanceof Error ? err.message : String(err);
      this.closes.emit({ kind: 'unplugged', message: `The USB HID device ${path} went away: ${text}` });
    });
  }

  async close(): Promise<void> {
    const device = this.device;
    if (!device) return;
    this.device = undefined;
    device.removeAllListeners('data');
    device.removeAllListeners('error');
    await device.close().catch(() => undefined);
    this.closes.emit({ kind: 'closed' });
  }

  /** Writes one output report (report id first), zero-padded to {@link maxWrite} bytes. */
  async write(data: Uint8Array): Promise<void> {
    const device = this.device;
    if (!device) throw new LinkError('not-open', `The USB HID device ${this.path} is not open.`);
    if (data.length > this.maxWrite) throw new LinkError('io', `A ${data.length}-byte HID report does not fit the device's ${this.maxWrite}-byte reports.`);
    const report = Buffer.alloc(this.maxWrite);
    report.set(data, 0);
    try {
      await device.write(report);
    } catch (err) {
      throw new LinkError('io', `Writing to the USB HID device ${this.path} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  onData(listener: (data: Uint8Array) => void): () => void {
    return this.data.add(listener);
  }

  onClose(listener: (reason: LinkCloseReason) => void): () => void {
    return this.closes.add(listener);
  }

  /** The path to open: the known one while it is listed, else the interface with our serial number. */
  private async locate(hid: NodeHidLike): Promise<string> {
    const serial = this.options.serialNumber;
    if (!serial) return this.path;
    const listed = await listHidInterfaces(hid, this.options.filter).catch(() => []);
    if (listed.some((d) => d.path === this.path)) return this.path;
    return listed.find((d) => d.serialNumber === serial)?.path ?? this.path;
  }
}

/**
 * Gives every input report its report id as byte 0. The first report of an SMP packet has the
 * control byte's bit 7 set, so a report starting with such a byte was delivered without the id,
 * and one starting with the id 0x01 (which as a control byte could only be a continuation, never
 * the start of an answer) was delivered with it. The first report that tells fixes the mode.
 */
export class ReportIdDetector {
  constructor(private mode: ReportIdOnRead) {}

  /** The report with the id as byte 0. */
  normalise(report: Uint8Array): Uint8Array {
    if (this.mode === 'auto' && report.length > 0) {
      const first = report[0] as number;
      if (first === HID_REPORT_ID) this.mode = 'included';
      else if (first & HID_FIRST) this.mode = 'stripped';
    }
    if (this.mode !== 'stripped') return report;
    const withId = new Uint8Array(report.length + 1);
    withId[0] = HID_REPORT_ID;
    withId.set(report, 1);
    return withId;
  }
}
