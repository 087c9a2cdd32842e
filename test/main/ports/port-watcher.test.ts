import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PortInfo } from '../../../preload/api';
import { LogHub } from '../../../main/log/logger';
import { sysfsPorts, toPortInfo } from '../../../main/ports/os-ports';
import { PortWatcher } from '../../../main/ports/port-watcher';

const log = new LogHub(null).logger('test');
const noTimers = { setInterval: () => 0, clearInterval: () => undefined };

describe('PortWatcher', () => {
  it('reports ports appearing and leaving between polls', async () => {
    let present: PortInfo[] = [{ path: '/dev/ttyACM0', source: 'os' }];
    const watcher = new PortWatcher(async () => present, log, 1000, noTimers);
    const events: string[] = [];
    watcher.on('added', (p) => events.push(`+${p.path}`));
    watcher.on('removed', (p) => events.push(`-${p.path}`));
    await watcher.poll();
    present = [{ path: '/dev/ttyACM1', source: 'os' }];
    await watcher.poll();
    expect(events).toEqual(['+/dev/ttyACM0', '-/dev/ttyACM0', '+/dev/ttyACM1']);
  });

  it('keeps the last good list when listing fails, and logs the failure once', async () => {
    let fail = false;
    const lines: string[] = [];
    const hub = new LogHub(null);
    hub.onLine((l) => lines.push(l.message));
    const watcher = new PortWatcher(async () => {
      if (fail) throw new Error('udevadm not found');
      return [{ path: '/dev/ttyUSB0', source: 'os' }];
    }, hub.logger('t'), 1000, noTimers);
    expect((await watcher.list()).map((p) => p.path)).toEqual(['/dev/ttyUSB0']);
    fail = true;
    expect((await watcher.list()).map((p) => p.path)).toEqual(['/dev/ttyUSB0']);
    await watcher.poll();
    expect(lines.filter((l) => l.includes('udevadm'))).toHaveLength(1);
  });

  it('refuses to add a path that does not exist or is not a character device', async () => {
    const watcher = new PortWatcher(async () => [], log, 1000, noTimers);
    await expect(watcher.addManual('/nonexistent/tty')).rejects.toMatchObject({ kind: 'port-not-found' });
    await expect(watcher.addManual('/etc/hostname')).rejects.toMatchObject({ kind: 'not-a-port' });
    const tty = await watcher.addManual('/dev/null');
    expect(tty).toEqual({ path: '/dev/null', source: 'by-path' });
    expect((await watcher.list()).map((p) => p.path)).toEqual(['/dev/null']);
  });
});

describe('serial port listing', () => {
  it('normalises USB ids to 4 lower-case hex digits and drops empty fields', () => {
    expect(toPortInfo({ path: 'COM3', vendorId: '2FE3', productId: '100', manufacturer: '', serialNumber: 'A1' })).toEqual({
      path: 'COM3',
      vendorId: '2fe3',
      productId: '0100',
      serialNumber: 'A1',
      source: 'os',
    });
  });

  it('reads USB serial ports from sysfs when udev is not there', async () => {
    const sys = mkdtempSync(join(tmpdir(), 'sysfs-'));
    const usb = join(sys, 'devices', 'usb1', '1-1');
    const iface = join(usb, '1-1:1.0');
    mkdirSync(join(iface, 'tty'), { recursive: true });
    mkdirSync(join(sys, 'drivers', 'cdc_acm'), { recursive: true });
    symlinkSync(join(sys, 'drivers', 'cdc_acm'), join(iface, 'driver'));
    for (const [file, value] of Object.entries({ idVendor: '2fe3', idProduct: '0100', serial: 'E4B3', manufacturer: 'ZEPHYR' })) {
      writeFileSync(join(usb, file), `${value}\n`);
    }
    const cls = join(sys, 'class', 'tty');
    mkdirSync(join(cls, 'ttyACM0'), { recursive: true });
    symlinkSync(iface, join(cls, 'ttyACM0', 'device'));
    mkdirSync(join(cls, 'tty1'), { recursive: true }); // a virtual console: no device link
    expect(await sysfsPorts(cls, '/dev')).toEqual([
      { path: '/dev/ttyACM0', vendorId: '2fe3', productId: '0100', serialNumber: 'E4B3', manufacturer: 'ZEPHYR', source: 'os' },
    ]);
  });
});
