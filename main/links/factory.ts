import { BleLink } from './ble-link';
import { loadNoble, type NobleLike } from './ble-noble';
import { HidLink } from './hid-link';
import { loadNodeHid, type NodeHidLike } from './hid-node';
import type { Link } from './link';
import type { SerialBinding } from './serial-binding';
import { SerialLink } from './serial-link';
import { UdpLink } from './udp-link';

/** What to open: one variant per link kind (BLE, HID and UDP are added by their owners). */
export type LinkDescriptor =
  | { kind: 'serial'; path: string; baudRate: number }
  /** A BLE peripheral by address (noble's id on macOS). */
  | { kind: 'ble'; address: string }
  /** A USB HID interface by path; the serial number finds it again at a new path after a replug. */
  | { kind: 'hid'; path: string; serialNumber?: string; vendorId?: number; productId?: number }
  /** SMP over UDP (smp.md §8), e.g. from `udp:192.0.2.7:1337`. */
  | { kind: 'udp'; host: string; port: number };

/** Library seams a factory may be given instead of the real ones (tests pass serialport's MockBinding). */
export interface LinkFactoryOptions {
  serialBinding?: SerialBinding;
  /** noble or a double; the real module is loaded at the first BLE open otherwise. */
  noble?: NobleLike;
  /** node-hid or a double; the real module is loaded at the first HID open otherwise. */
  hid?: NodeHidLike;
}

/** Serial speed when none is given: what Zephyr's CDC-ACM and UART SMP samples use. */
export const DEFAULT_BAUD_RATE = 115200;

/** Makes an unopened {@link Link} for a descriptor. The one place that knows every link kind. */
export function createLink(descriptor: LinkDescriptor, options: LinkFactoryOptions = {}): Link {
  switch (descriptor.kind) {
    case 'serial':
      return new SerialLink({ path: descriptor.path, baudRate: descriptor.baudRate, ...(options.serialBinding ? { binding: options.serialBinding } : {}) });
    case 'ble':
      return new BleLink({ address: descriptor.address, noble: options.noble ?? loadNoble });
    case 'hid': {
      const { path, serialNumber, vendorId, productId } = descriptor;
      const filter = { ...(vendorId === undefined ? {} : { vendorId }), ...(productId === undefined ? {} : { productId }) };
      return new HidLink({ path, hid: options.hid ?? loadNodeHid, filter, ...(serialNumber === undefined ? {} : { serialNumber }) });
    }
    case 'udp':
      return new UdpLink(descriptor.host, descriptor.port);
  }
}
