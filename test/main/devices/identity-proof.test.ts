import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareProof, usbSerialOf } from '../../../main/devices/identity-proof';
import type { PortInfo } from '../../../preload/api';

describe('compareProof', () => {
  it.each([
    [{ fieldId: 'a' }, { fieldId: 'a' }, 'same'],
    [{ fieldId: 'a' }, { fieldId: 'b' }, 'other'],
    [{ fieldId: 'a' }, {}, 'other'], // said who it was, now says nothing
    [{}, { fieldId: 'b' }, 'unproven'], // nothing to compare with (serial recovery before the reset)
    [{ usbSerial: 'S1' }, { usbSerial: 'S1', fieldId: 'x' }, 'same'],
    [{ usbSerial: 'S1', fieldId: 'a' }, { usbSerial: 'S2', fieldId: 'a' }, 'other'],
    [{}, {}, 'unproven'],
  ] as const)('%o then %o → %s', (before, after, verdict) => {
    expect(compareProof(before, after)).toBe(verdict);
  });
});

describe('usbSerialOf', () => {
  const list = (ports: Partial<PortInfo>[]) => () => Promise.resolve(ports.map((p) => ({ source: 'os', ...p }) as PortInfo));

  it('finds the serial number of the port by its path, also through a by-id symlink', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'siteflash-usbserial-'));
    const dev = join(dir, 'ttyACM0');
    writeFileSync(dev, '');
    symlinkSync(dev, join(dir, 'usb-ZEPHYR_1234-if00'));
    const ports = list([{ path: join(dir, 'other') , serialNumber: 'X' }, { path: dev, serialNumber: 'E1A2B3' }]);
    expect(await usbSerialOf(dev, ports)).toBe('E1A2B3');
    expect(await usbSerialOf(join(dir, 'usb-ZEPHYR_1234-if00'), ports)).toBe('E1A2B3');
  });

  it('is undefined for a port that is not listed or has no serial number', async () => {
    expect(await usbSerialOf('/dev/ttyS9', list([{ path: '/dev/ttyS9' }]))).toBeUndefined();
    expect(await usbSerialOf('/dev/ttyACM7', list([{ path: '/dev/ttyACM0', serialNumber: 'A' }]))).toBeUndefined();
  });
});
