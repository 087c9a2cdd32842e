import { readdir, readFile, readlink, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { PortInfo } from '../../preload/api';

/** Lists the serial ports the OS knows of. Injected into the watcher so tests can pass their own. */
export type PortLister = () => Promise<PortInfo[]>;

interface SerialportListEntry {
  path: string;
  vendorId?: string | undefined;
  productId?: string | undefined;
  serialNumber?: string | undefined;
  manufacturer?: string | undefined;
}

/** Normalises what serialport reports: lower-case 4-digit hex ids, no empty strings. */
export function toPortInfo(entry: SerialportListEntry): PortInfo {
  const info: PortInfo = { path: entry.path, source: 'os' };
  const hex = (v: string | undefined) => (v ? v.toLowerCase().replace(/^0x/, '').padStart(4, '0') : undefined);
  const vendorId = hex(entry.vendorId);
  const productId = hex(entry.productId);
  if (vendorId) info.vendorId = vendorId;
  if (productId) info.productId = productId;
  if (entry.serialNumber) info.serialNumber = entry.serialNumber;
  if (entry.manufacturer) info.manufacturer = entry.manufacturer;
  return info;
}

/**
 * The OS port list through serialport. On Linux serialport asks `udevadm`; where udev is absent
 * (containers, minimal installs) that fails, so we read sysfs directly instead of showing nothing.
 */
export function osPortLister(platform = process.platform): PortLister {
  return async () => {
    const { SerialPort } = await import('serialport');
    try {
      return (await SerialPort.list()).map(toPortInfo);
    } catch (err) {
      if (platform !== 'linux') throw err;
      return sysfsPorts('/sys/class/tty', '/dev');
    }
  };
}

/** Drivers of ttys that are real serial hardware (USB CDC-ACM, USB-serial bridges, UARTs). */
const HARDWARE_DRIVERS = /^(cdc_acm|ftdi_sio|cp210x|ch341|pl2303|usbserial|serial8250|pl011|option|qcserial)/;

/**
 * Reads serial ports from sysfs: every tty with a `device` link whose driver is a serial driver,
 * with USB ids, serial number and manufacturer from the nearest USB device above it.
 * Platform 8250 UARTs without a port behind them are left out, as udev-based listings do.
 */
export async function sysfsPorts(classDir: string, devDir: string): Promise<PortInfo[]> {
  let names: string[];
  try {
    names = await readdir(classDir);
  } catch {
    return [];
  }
  const ports: PortInfo[] = [];
  for (const name of names.sort()) {
    const deviceLink = join(classDir, name, 'device');
    let driver: string;
    try {
      driver = basename(await readlink(join(deviceLink, 'driver')));
    } catch {
      continue;
    }
    if (!HARDWARE_DRIVERS.test(driver)) continue;
    if (driver === 'serial8250' && !(await hasUartBehind(join(classDir, name)))) continue;
    const info: PortInfo = { path: join(devDir, name), source: 'os' };
    const usb = await usbParent(resolve(classDir, name, await readlink(deviceLink).catch(() => 'device')));
    if (usb) {
      const read = async (file: string) => (await readFile(join(usb, file), 'utf8').catch(() => '')).trim() || undefined;
      const [vendorId, productId, serialNumber, manufacturer] = await Promise.all(
        ['idVendor', 'idProduct', 'serial', 'manufacturer'].map(read),
      );
      Object.assign(info, toPortInfo({ path: info.path, vendorId, productId, serialNumber, manufacturer }));
    }
    ports.push(info);
  }
  return ports;
}

async function hasUartBehind(ttyDir: string): Promise<boolean> {
  const type = await readFile(join(ttyDir, 'type'), 'utf8').catch(() => '0');
  return type.trim() !== '0';
}

/** Walks up from a device folder to the first one that has USB vendor and product ids. */
async function usbParent(deviceDir: string): Promise<string | null> {
  let dir = deviceDir;
  for (let i = 0; i < 6 && dir !== '/'; i++) {
    const found = await stat(join(dir, 'idVendor')).then(() => true, () => false);
    if (found) return dir;
    dir = resolve(dir, '..');
  }
  return null;
}
