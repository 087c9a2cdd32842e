import { BleLink } from '../../../../main/links/ble-link';
import { SimDevice, type SimDeviceOptions } from '../../../../main/sim/device';
import type { LinkFaults } from '../../../../main/sim/sim-transport';
import { FakeClock } from '../fake-clock';
import type { RigDeviceOptions, UploadRig } from '../upload-suite';
import { NobleDouble, PeripheralDouble } from './noble-double';
import type { RadioModel } from './radio-schedule';

/** What a BLE test sets up. */
export interface BleRigOptions {
  mtu?: number;
  adapterState?: string;
  device?: Partial<Omit<SimDeviceOptions, 'clock'>>;
  radio?: RadioModel;
  faults?: LinkFaults;
  reslice?: (unit: Uint8Array) => Uint8Array[];
  connectTimeoutMs?: number;
}

export const BLE_ADDRESS = 'c0:ff:ee:00:00:01';

/** A BleLink on a noble double whose one peripheral is a simulated device. */
export function bleRig(o: BleRigOptions = {}) {
  const clock = new FakeClock();
  const device = new SimDevice({ board: 'nrf52840dk', id: '00124b0001a2b3c4', clock, mode: 'update', timing: { eraseMsPerSector: 5 }, ...o.device });
  const noble = new NobleDouble(clock, o.adapterState ?? 'poweredOn');
  const peripheral = noble.add(
    new PeripheralDouble({
      address: BLE_ADDRESS,
      device,
      clock,
      name: 'sf-sensor',
      rssi: -58,
      ...(o.mtu === undefined ? {} : { mtu: o.mtu }),
      ...(o.radio ? { radio: o.radio } : {}),
      ...(o.faults ? { faults: o.faults } : {}),
      ...(o.reslice ? { reslice: o.reslice } : {}),
    }),
  );
  const link = new BleLink({ address: BLE_ADDRESS, noble, clock, platform: 'linux', ...(o.connectTimeoutMs ? { connectTimeoutMs: o.connectTimeoutMs } : {}) });
  return { clock, device, noble, peripheral, link };
}

/** The shared upload suite's rig over BLE at `mtu`. */
export async function bleUploadRig(mtu: number, d: RigDeviceOptions): Promise<UploadRig> {
  const rig = bleRig({ mtu, device: { bufSize: d.bufSize, bufCount: d.bufCount } });
  let muted = false;
  const original = rig.peripheral.deliver.bind(rig.peripheral);
  rig.peripheral.deliver = (data, withoutResponse) => (muted ? Promise.resolve() : original(data, withoutResponse));
  return {
    clock: rig.clock,
    link: rig.link,
    device: rig.device,
    breakLink: () => rig.peripheral.drop(0x08),
    silence: () => (muted = true),
    maxUnit: mtu - 3,
    unitSizes: () => rig.peripheral.writes.map((w) => w.data.length),
  };
}
