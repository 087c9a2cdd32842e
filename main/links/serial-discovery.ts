import type { PortInfo } from '../../preload/api';
import { osPortLister, type PortLister } from '../ports/os-ports';

/**
 * Serial ports whose USB vendor id (and product id, when given) match, e.g. `('2fe3', '0100')` for
 * Zephyr's default CDC-ACM. Ids compare as numbers, so `2FE3`, `0x2fe3` and `2fe3` are alike.
 * The port list comes from main/ports (serialport's `list()`, sysfs where udev is absent).
 */
export async function findSerialPorts(vendorId: string, productId?: string, list: PortLister = osPortLister()): Promise<PortInfo[]> {
  const vid = usbId(vendorId);
  const pid = productId === undefined ? undefined : usbId(productId);
  if (vid === undefined || (productId !== undefined && pid === undefined)) return [];
  return (await list()).filter((p) => usbId(p.vendorId) === vid && (pid === undefined || usbId(p.productId) === pid));
}

function usbId(id: string | undefined): number | undefined {
  if (!id || !/^(0x)?[0-9a-f]{1,4}$/i.test(id)) return undefined;
  return Number.parseInt(id.replace(/^0x/i, ''), 16);
}
