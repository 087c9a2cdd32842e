import { describe, expect, it } from 'vitest';
import { serialOpenError } from '../../../main/links/serial-errors';

describe('serialOpenError', () => {
  it('names a missing port not-found', () => {
    const e = serialOpenError(new Error('Error: No such file or directory, cannot open /dev/ttyACM9'), '/dev/ttyACM9', 'linux');
    expect(e.kind).toBe('not-found');
    expect(e.message).toContain('/dev/ttyACM9');
  });

  it('tells a Linux user about the dialout group and udev rules on EACCES', () => {
    const e = serialOpenError(new Error('Error: Permission denied, cannot open /dev/ttyACM0'), '/dev/ttyACM0', 'linux');
    expect(e.kind).toBe('permission-denied');
    expect(e.hint).toMatch(/dialout/);
    expect(e.hint).toMatch(/udev/);
  });

  it('reads an errno code when the message has none', () => {
    const err = Object.assign(new Error('open failed'), { code: 'EACCES' });
    expect(serialOpenError(err, 'COM3', 'win32').kind).toBe('permission-denied');
  });

  it('names a locked or busy port busy', () => {
    expect(serialOpenError(new Error('Error Resource temporarily unavailable Cannot lock port'), '/dev/pts/3', 'linux').kind).toBe('busy');
    expect(serialOpenError(new Error('Error: Resource busy, cannot open /dev/ttyUSB0'), '/dev/ttyUSB0', 'linux').kind).toBe('busy');
  });

  it('keeps other failures as io with the original text', () => {
    const e = serialOpenError(new Error('Invalid "baudRate"'), '/dev/ttyS0', 'linux');
    expect(e.kind).toBe('io');
    expect(e.message).toContain('Invalid "baudRate"');
  });
});
