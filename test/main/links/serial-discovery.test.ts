import { describe, expect, it } from 'vitest';
import type { PortInfo } from '../../../preload/api';
import { findSerialPorts } from '../../../main/links/serial-discovery';

const ports: PortInfo[] = [
  { path: '/dev/ttyACM0', vendorId: '2fe3', productId: '0100', source: 'os' },
  { path: '/dev/ttyACM1', vendorId: '2fe3', productId: '0004', source: 'os' },
  { path: '/dev/ttyUSB0', vendorId: '10c4', productId: 'ea60', source: 'os' },
  { path: '/dev/ttyS0', source: 'os' },
];
const list = async () => ports;

describe('findSerialPorts', () => {
  it('finds every port of a vendor when no product id is given', async () => {
    expect((await findSerialPorts('2fe3', undefined, list)).map((p) => p.path)).toEqual(['/dev/ttyACM0', '/dev/ttyACM1']);
  });

  it('matches vendor and product ids whatever their spelling', async () => {
    expect((await findSerialPorts('0x2FE3', '100', list)).map((p) => p.path)).toEqual(['/dev/ttyACM0']);
    expect((await findSerialPorts('10C4', 'EA60', list)).map((p) => p.path)).toEqual(['/dev/ttyUSB0']);
  });

  it('finds nothing for an id that is not hex', async () => {
    expect(await findSerialPorts('zz', undefined, list)).toEqual([]);
  });
});
