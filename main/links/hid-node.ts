import { LinkError } from './link';

/** One HID interface as node-hid lists it (`HID.devicesAsync()`), with node-hid's field names. */
export interface HidDeviceInfo {
  vendorId: number;
  productId: number;
  path?: string | undefined;
  serialNumber?: string | undefined;
  manufacturer?: string | undefined;
  product?: string | undefined;
  interface: number;
  usagePage?: number | undefined;
  usage?: number | undefined;
}

/** An open HID device (node-hid's `HIDAsync`): output reports out, input reports as 'data' events. */
export interface HidDeviceLike {
  /** Writes one output report; byte 0 is the report id. Resolves with the bytes written. */
  write(values: number[] | Buffer): Promise<number>;
  close(): Promise<void>;
  on(event: 'data', listener: (data: Buffer) => void): unknown;
  /** node-hid reports a failed read, e.g. the device was unplugged, as 'error'. */
  on(event: 'error', listener: (err: unknown) => void): unknown;
  removeAllListeners(event?: string): unknown;
}

/** The part of the node-hid module the HID link uses, with node-hid's names and shapes. */
export interface NodeHidLike {
  devicesAsync(): Promise<HidDeviceInfo[]>;
  HIDAsync: { open(path: string): Promise<HidDeviceLike> };
}

/** Vendor-defined usage page of SMP HID interfaces (hid-transport.md "Interface"). */
export const SMP_HID_USAGE_PAGE = 0xff00;
/** Usage of SMP HID interfaces (hid-transport.md "Interface"). */
export const SMP_HID_USAGE = 0x0001;

/** Vendor/product ids a project configures to narrow the HID list (hid-transport.md "Matching"). */
export interface HidFilter {
  vendorId?: number;
  productId?: number;
}

/** Loads the real node-hid (lazily: it is a native module, and needs libusb/hidraw at load time). */
export async function loadNodeHid(): Promise<NodeHidLike> {
  return import('node-hid');
}

/** node-hid itself, or a loader for it; a loader that fails means no USB HID support on this computer. */
export async function resolveNodeHid(source: NodeHidLike | (() => Promise<NodeHidLike>)): Promise<NodeHidLike> {
  if (typeof source !== 'function') return source;
  try {
    return await source();
  } catch (err) {
    return Promise.reject(hidUnavailable(err));
  }
}

function hidUnavailable(err: unknown): LinkError {
  const text = err instanceof Error ? err.message : String(err);
  return new LinkError('not-found', `USB HID support could not be loaded: ${text}`, 'Install libusb and hidraw support (on Linux: the libusb-1.0-0 package), then start siteflash again.');
}

/**
 * HID interfaces carrying SMP: usage page 0xFF00, usage 0x0001, and the vendor/product ids when
 * given. Interfaces without a path cannot be opened and are left out.
 */
export async function listHidInterfaces(hid: NodeHidLike, filter: HidFilter = {}): Promise<(HidDeviceInfo & { path: string })[]> {
  // node-hid binds its native library on first use: a missing libusb shows up here, not at import.
  const all = await hid.devicesAsync().catch((err: unknown) => Promise.reject(/cannot open shared object|\.so[.\d]*:/.test(String(err)) ? hidUnavailable(err) : err));
  return all.filter(
    (d): d is HidDeviceInfo & { path: string } =>
      typeof d.path === 'string' &&
      d.path.length > 0 &&
      d.usagePage === SMP_HID_USAGE_PAGE &&
      d.usage === SMP_HID_USAGE &&
      (filter.vendorId === undefined || d.vendorId === filter.vendorId) &&
      (filter.productId === undefined || d.productId === filter.productId),
  );
}

/**
 * Explains a failed open. node-hid says only "cannot open device with path …", so whether the
 * interface is still listed tells "gone" from "refused".
 */
export function hidOpenError(err: unknown, path: string, stillListed: boolean, platform: NodeJS.Platform = process.platform): LinkError {
  const text = err instanceof Error ? err.message : String(err);
  if (!stillListed) {
    return new LinkError('not-found', `The USB HID device ${path} is not connected.`, 'Plug the device in (and put it in update mode), then pick it again from the list.');
  }
  if (platform === 'linux') {
    return new LinkError(
      'permission-denied',
      `siteflash may not open the USB HID device ${path} (${text}).`,
      'Install the siteflash udev rule (KERNEL=="hidraw*", ATTRS{idVendor}=="<vid>", MODE="0660", TAG+="uaccess") and replug the device.',
    );
  }
  return new LinkError('busy', `The USB HID device ${path} could not be opened (${text}).`, 'Close other programs that use the device, replug it and try again.');
}
