import { describe, expect, it } from 'vitest';
import { listDevices } from '../../../main/links/device-list';
import { createLink, type LinkDescriptor } from '../../../main/links/factory';
import { SMP_HID_USAGE, SMP_HID_USAGE_PAGE } from '../../../main/links/hid-node';
import { createLoopbackPair } from '../../../main/links/loopback-link';
import { MgmtErr, OsCmd, SmpGroup } from '../../../main/smp';
import { SimDevice } from '../../../main/sim/device';
import { ScriptedDevice } from '../devices/scripted-device';
import { BLE_ADDRESS, bleRig } from './doubles/ble-rig';
import { HID_PATH, HID_PRODUCT, HID_SERIAL, HID_VENDOR } from './doubles/hid-rig';
import { NobleDouble, PeripheralDouble } from './doubles/noble-double';
import { NodeHidDouble } from './doubles/node-hid-double';
import { FakeClock } from './fake-clock';

const serialPorts = async () => [{ path: '/dev/ttyACM0', vendorId: '2fe3', productId: '0100', serialNumber: 'Z1', manufacturer: 'ZEPHYR', source: 'os' as const }];

const hidInfo = { path: HID_PATH, vendorId: HID_VENDOR, productId: HID_PRODUCT, serialNumber: HID_SERIAL, product: 'siteflash gateway', interface: 1, usagePage: SMP_HID_USAGE_PAGE, usage: SMP_HID_USAGE };

/** A noble double with two simulated peripherals and a node-hid double with one, on one clock. */
function world() {
  const ble = bleRig({ mtu: 247 });
  const far = new SimDevice({ board: 'nrf52840dk', id: '00124b00000000ff', clock: ble.clock });
  ble.noble.add(new PeripheralDouble({ address: 'c0:ff:ee:00:00:02', device: far, clock: ble.clock, rssi: -87, mtu: 247 }));
  const hid = new NodeHidDouble(ble.clock);
  hid.plug({ info: hidInfo, device: new SimDevice({ board: 'gw-imx', id: '00124b00000000aa', clock: ble.clock }) });
  return { clock: ble.clock, noble: ble.noble, hid };
}

describe('one device list over serial, a noble double and a node-hid double backed by the simulator', () => {
  it('lists serial ports, SMP peripherals by signal strength and SMP HID interfaces, each with what opens it', async () => {
    const w = world();
    const { devices, problems } = await w.clock.run(listDevices({ serial: serialPorts, noble: w.noble, hid: w.hid, hidFilter: { vendorId: HID_VENDOR } }, { scanMs: 500, clock: w.clock }));
    expect(problems).toEqual([]);
    expect(devices.map((d) => [d.link, d.address, d.rssi])).toEqual([
      ['serial', '/dev/ttyACM0', undefined],
      ['ble', BLE_ADDRESS, -58],
      ['ble', 'c0:ff:ee:00:00:02', -87],
      ['hid', HID_PATH, undefined],
    ]);
    expect(devices[0]).toMatchObject({ vendorId: '2fe3', productId: '0100', serialNumber: 'Z1', descriptor: { kind: 'serial', path: '/dev/ttyACM0', baudRate: 115200 } });
    expect(devices[1]).toMatchObject({ name: 'sf-sensor', descriptor: { kind: 'ble', address: BLE_ADDRESS } });
    expect(devices[3]).toMatchObject({ vendorId: '2fe3', productId: '0007', name: 'siteflash gateway', descriptor: { kind: 'hid', path: HID_PATH, serialNumber: 'SF-0042' } });
  });

  it('keeps listing the other kinds when the Bluetooth adapter is off, and says what to do', async () => {
    const clock = new FakeClock();
    const noble = new NobleDouble(clock, 'poweredOff');
    const { devices, problems } = await clock.run(listDevices({ serial: serialPorts, noble, hid: new NodeHidDouble(clock) }, { scanMs: 500, clock }));
    expect(devices.map((d) => d.link)).toEqual(['serial']);
    expect(problems).toEqual([{ link: 'ble', kind: 'adapter-off', message: expect.stringContaining('off'), hint: expect.stringContaining('Turn Bluetooth on') }]);
  });

  it('reports a HID library that cannot load as a problem of the HID kind only', async () => {
    const clock = new FakeClock();
    const { devices, problems } = await clock.run(listDevices({ serial: serialPorts, hid: () => Promise.reject(new Error('libusb-1.0.so.0: cannot open shared object file')) }, { clock }));
    expect(devices).toHaveLength(1);
    expect(problems).toEqual([{ link: 'hid', kind: 'not-found', message: expect.stringContaining('libusb-1.0.so.0'), hint: expect.stringContaining('libusb') }]);
  });

  it('asks each device who it is: field identity over BLE and HID, OS info and params from a plain Zephyr device on serial', async () => {
    const w = world();
    const openLink = (d: LinkDescriptor) => {
      if (d.kind !== 'serial') return createLink(d, { noble: w.noble, hid: w.hid });
      // A plain Zephyr device: OS group only, ENOTSUP for the field group (smp.md §4.1).
      const [host, dev] = createLoopbackPair({ framing: 'serial' });
      void dev.open();
      new ScriptedDevice(dev, (r) => {
        if (r.header.group === SmpGroup.os && r.header.id === OsCmd.info) return { output: 'Zephyr nrf52dk 3.7.0' };
        if (r.header.group === SmpGroup.os && r.header.id === OsCmd.mcumgrParams) return { buf_size: 256, buf_count: 2 };
        return { rc: MgmtErr.ENOTSUP };
      });
      return host;
    };
    const { devices } = await w.clock.run(listDevices({ serial: serialPorts, noble: w.noble, hid: w.hid }, { scanMs: 300, clock: w.clock, query: true, openLink }));
    expect(devices.map((d) => d.report?.source)).toEqual(['os', 'field', 'field', 'field']);
    expect(devices[0]?.report).toEqual({ source: 'os', osInfo: 'Zephyr nrf52dk 3.7.0', params: { bufSize: 256, bufCount: 2 } });
    expect(devices[1]?.report?.identity).toMatchObject({ id: '00124b0001a2b3c4', board: 'nrf52840dk', mode: 'update' });
    expect(devices[2]?.report?.identity).toMatchObject({ id: '00124b00000000ff' });
    expect(devices[3]?.report?.identity).toMatchObject({ id: '00124b00000000aa', board: 'gw-imx' });
  });

  it('lists a device that does not answer the query with the reason, and goes on', async () => {
    const w = world();
    const silent = new NodeHidDouble(w.clock);
    silent.plug({ info: hidInfo, device: new SimDevice({ board: 'x', id: '00124b0000000001', clock: w.clock }), faults: { dropRate: 1 } });
    const { devices } = await w.clock.run(listDevices({ hid: silent, noble: w.noble }, { scanMs: 300, clock: w.clock, query: true, queryTimeoutMs: 500 }), 50);
    expect(devices.map((d) => d.link)).toEqual(['ble', 'ble', 'hid']);
    expect(devices[2]?.queryError).toMatchObject({ kind: 'timeout' });
    expect(devices[0]?.report?.source).toBe('field');
  });
});
