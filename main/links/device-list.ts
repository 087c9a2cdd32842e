import type { DeviceProblem, DeviceSummary } from '../../preload/api';
import type { PortLister } from '../ports/os-ports';
import { type NobleLike, resolveNoble } from './ble-noble';
import { scanBle } from './ble-scan';
import { systemClock, type Clock } from './clock';
import { queryDevice, type DeviceReport } from './device-list-query';
import { createLink, DEFAULT_BAUD_RATE, type LinkDescriptor } from './factory';
import { listHidInterfaces, resolveNodeHid, type HidFilter, type NodeHidLike } from './hid-node';
import type { Link } from './link';
import { udpLinkId } from './udp-link';

/**
 * One device reachable now, on any link kind: the contract's {@link DeviceSummary} (BLE address is
 * noble's id on macOS; USB ids are 4 lower-case hex digits; `name` is the BLE local name, HID
 * product name or serial port maker), plus how to open it and the device's own report.
 */
export interface ListedDevice extends Omit<DeviceSummary, 'report'> {
  /** What to give `createLink` to open it. */
  descriptor: LinkDescriptor;
  /** What the device said about itself (only when the list was made with `query`). */
  report?: DeviceReport;
}

/** A link kind that could not be listed, and what to do about it (the contract's shape). */
export type ListProblem = DeviceProblem;

/** Where devices are looked for; a kind left out is not listed. */
export interface DeviceSources {
  serial?: PortLister;
  noble?: NobleLike | (() => Promise<NobleLike>);
  hid?: NodeHidLike | (() => Promise<NodeHidLike>);
  /** Project vendor/product ids for HID (hid-transport.md "Matching"). */
  hidFilter?: HidFilter;
  /** Devices on the network added by address (SMP over UDP, smp.md §8). */
  udp?: () => readonly { host: string; port: number }[];
}

/** Options of {@link listDevices}. */
export interface ListDevicesOptions {
  /** BLE scan length (default 3 s). */
  scanMs?: number;
  /** Ask each device who it is over SMP (opens every listed port/peripheral/interface in turn). */
  query?: boolean;
  queryTimeoutMs?: number;
  clock?: Clock;
  signal?: AbortSignal;
  /** Opens a listed device for the query; the factory with the same noble/node-hid by default. */
  openLink?: (descriptor: LinkDescriptor) => Link;
}

/** Default BLE scan: a few advertising intervals of a slow advertiser. */
export const DEFAULT_SCAN_MS = 3000;

/**
 * One list of serial ports, BLE peripherals advertising SMP and SMP HID interfaces. Each kind is
 * listed on its own: one that fails (no Bluetooth adapter, no HID support) becomes a problem
 * entry and the others are still listed. With `query`, each device is asked who it is.
 */
export async function listDevices(sources: DeviceSources, options: ListDevicesOptions = {}): Promise<{ devices: ListedDevice[]; problems: ListProblem[] }> {
  const clock = options.clock ?? systemClock;
  const problems: ListProblem[] = [];
  let noble: NobleLike | undefined;
  let hid: NodeHidLike | undefined;
  const attempt = async (link: ListProblem['link'], run: () => Promise<ListedDevice[]>): Promise<ListedDevice[]> => {
    try {
      return await run();
    } catch (err) {
      problems.push(problemOf(link, err));
      return [];
    }
  };
  const { serial, noble: nobleSource, hid: hidSource } = sources;
  const lists = await Promise.all([
    serial ? attempt('serial', async () => (await serial()).map(serialEntry)) : [],
    nobleSource
      ? attempt('ble', async () => {
          noble = await resolveNoble(nobleSource);
          const scan = await scanBle(noble, { durationMs: options.scanMs ?? DEFAULT_SCAN_MS, clock, ...(options.signal ? { signal: options.signal } : {}) });
          return scan.found.sort((a, b) => b.rssi - a.rssi).map((p) => ({ link: 'ble', address: p.address, descriptor: { kind: 'ble', address: p.address }, rssi: p.rssi, ...(p.name ? { name: p.name } : {}) }));
        })
      : [],
    hidSource
      ? attempt('hid', async () => {
          hid = await resolveNodeHid(hidSource);
          return (await listHidInterfaces(hid, sources.hidFilter)).map(hidEntry);
        })
      : [],
  ]);
  const devices = [...lists.flat(), ...(sources.udp?.() ?? []).map(udpEntry)];
  if (options.query) {
    const open = options.openLink ?? ((d: LinkDescriptor) => createLink(d, { ...(noble ? { noble } : {}), ...(hid ? { hid } : {}) }));
    for (const device of devices) {
      options.signal?.throwIfAborted();
      try {
        device.report = await queryDevice(open(device.descriptor), { clock, ...(options.queryTimeoutMs ? { timeoutMs: options.queryTimeoutMs } : {}), ...(options.signal ? { signal: options.signal } : {}) });
      } catch (err) {
        device.queryError = { kind: kindOf(err), message: err instanceof Error ? err.message : String(err) };
      }
    }
  }
  return { devices, problems };
}

function serialEntry(p: Awaited<ReturnType<PortLister>>[number]): ListedDevice {
  return {
    link: 'serial',
    address: p.path,
    descriptor: { kind: 'serial', path: p.path, baudRate: DEFAULT_BAUD_RATE },
    ...(p.manufacturer ? { name: p.manufacturer } : {}),
    ...(p.vendorId ? { vendorId: p.vendorId } : {}),
    ...(p.productId ? { productId: p.productId } : {}),
    ...(p.serialNumber ? { serialNumber: p.serialNumber } : {}),
  };
}

/** A device added by its network address: listed by its link id, reached over UDP. */
export function udpEntry(a: { host: string; port: number }): ListedDevice {
  return { link: 'udp', address: udpLinkId(a.host, a.port), descriptor: { kind: 'udp', host: a.host, port: a.port }, target: { kind: 'udp', host: a.host, port: a.port } };
}

function hidEntry(d: Awaited<ReturnType<typeof listHidInterfaces>>[number]): ListedDevice {
  const hex = (n: number) => n.toString(16).padStart(4, '0');
  return {
    link: 'hid',
    address: d.path,
    descriptor: { kind: 'hid', path: d.path, vendorId: d.vendorId, productId: d.productId, ...(d.serialNumber ? { serialNumber: d.serialNumber } : {}) },
    ...(d.product ? { name: d.product } : {}),
    vendorId: hex(d.vendorId),
    productId: hex(d.productId),
    ...(d.serialNumber ? { serialNumber: d.serialNumber } : {}),
  };
}

function problemOf(link: ListProblem['link'], err: unknown): ListProblem {
  const hint = err && typeof err === 'object' && 'hint' in err && typeof err.hint === 'string' ? err.hint : undefined;
  const message = err instanceof Error ? err.message : String(err);
  return { link, kind: kindOf(err), message, ...(hint ? { hint } : {}) };
}

function kindOf(err: unknown): string {
  return err && typeof err === 'object' && 'kind' in err && typeof err.kind === 'string' ? err.kind : 'io';
}
