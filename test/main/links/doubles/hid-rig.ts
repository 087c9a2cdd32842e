import { HidLink } from '../../../../main/links/hid-link';
import { SMP_HID_USAGE, SMP_HID_USAGE_PAGE } from '../../../../main/links/hid-node';
import { SimDevice, type SimDeviceOptions } from '../../../../main/sim/device';
import type { LinkFaults } from '../../../../main/sim/sim-transport';
import { FakeClock } from '../fake-clock';
import type { RigDeviceOptions, UploadRig } from '../upload-suite';
import { NodeHidDouble, type HidPlug } from './node-hid-double';

/** What a HID test sets up. */
export interface HidRigOptions {
  device?: Partial<Omit<SimDeviceOptions, 'clock'>>;
  includeReportId?: boolean;
  faults?: LinkFaults;
}

export const HID_PATH = '/dev/hidraw3';
export const HID_SERIAL = 'SF-0042';
export const HID_VENDOR = 0x2fe3;
export const HID_PRODUCT = 0x0007;

/** A HidLink on a node-hid double whose SMP interface is a simulated device. */
export function hidRig(o: HidRigOptions = {}) {
  const clock = new FakeClock();
  const device = new SimDevice({ board: 'nrf52840dk', id: '00124b0001a2b3c5', clock, mode: 'update', timing: { eraseMsPerSector: 5 }, ...o.device });
  const hid = new NodeHidDouble(clock);
  const plug = (path: string): HidPlug => ({
    info: { path, vendorId: HID_VENDOR, productId: HID_PRODUCT, serialNumber: HID_SERIAL, product: 'siteflash gateway', interface: 1, usagePage: SMP_HID_USAGE_PAGE, usage: SMP_HID_USAGE },
    device,
    ...(o.includeReportId === undefined ? {} : { includeReportId: o.includeReportId }),
    ...(o.faults ? { faults: o.faults } : {}),
  });
  hid.plug(plug(HID_PATH));
  const link = new HidLink({ path: HID_PATH, hid, serialNumber: HID_SERIAL, filter: { vendorId: HID_VENDOR } });
  return { clock, device, hid, link, plug };
}

/** The shared upload suite's rig over USB HID. */
export async function hidUploadRig(d: RigDeviceOptions): Promise<UploadRig> {
  const rig = hidRig({ device: { bufSize: d.bufSize, bufCount: d.bufCount } });
  let muted = false;
  const open = rig.hid.HIDAsync.open;
  rig.hid.HIDAsync.open = async (path) => {
    const handle = await open(path);
    const write = handle.write.bind(handle);
    handle.write = async (values) => (muted ? values.length : write(values));
    return handle;
  };
  return {
    clock: rig.clock,
    link: rig.link,
    device: rig.device,
    breakLink: () => {
      rig.hid.unplug(HID_PATH);
      rig.hid.plug(rig.plug(HID_PATH));
    },
    silence: () => (muted = true),
    maxUnit: 65,
    unitSizes: () => rig.hid.written.map((w) => w.report.length),
  };
}
