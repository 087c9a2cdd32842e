import { describe, expect, it } from 'vitest';
import { fieldIdentity } from '../../../main/devices/commands/field';
import { echo, mcumgrParams } from '../../../main/devices/commands/os';
import { DeviceError } from '../../../main/devices/errors';
import { SmpSession, type SessionDiagnostic } from '../../../main/devices/session';
import { createLink } from '../../../main/links/factory';
import { ReportIdDetector } from '../../../main/links/hid-link';
import { listHidInterfaces, SMP_HID_USAGE, SMP_HID_USAGE_PAGE } from '../../../main/links/hid-node';
import type { LinkCloseReason } from '../../../main/links/link';
import { encodeHeader, HID_FIRST, HID_REPORT_ID, SmpOp } from '../../../main/smp';
import { HID_PATH, HID_PRODUCT, HID_SERIAL, HID_VENDOR, hidRig, hidUploadRig } from './doubles/hid-rig';
import { describeUploadSuite } from './upload-suite';

describe('HID link through a node-hid double backed by the simulator', () => {
  it('lists only interfaces with usage page 0xFF00 / usage 1, narrowed by vendor and product', async () => {
    const rig = hidRig();
    const keyboard = { path: '/dev/hidraw0', vendorId: HID_VENDOR, productId: HID_PRODUCT, interface: 0, usagePage: 1, usage: 6 };
    rig.hid.plug({ info: keyboard, device: rig.device });
    rig.hid.plug({ info: { path: '/dev/hidraw7', vendorId: 0x1234, productId: 1, interface: 0, usagePage: SMP_HID_USAGE_PAGE, usage: SMP_HID_USAGE }, device: rig.device });
    expect((await listHidInterfaces(rig.hid)).map((d) => d.path).sort()).toEqual([HID_PATH, '/dev/hidraw7']);
    expect((await listHidInterfaces(rig.hid, { vendorId: HID_VENDOR })).map((d) => d.path)).toEqual([HID_PATH]);
    expect(await listHidInterfaces(rig.hid, { vendorId: HID_VENDOR, productId: 0x99 })).toEqual([]);
  });

  for (const includeReportId of [true, false]) {
    it(`carries SMP both ways in 65-byte reports with the report id first (input reports ${includeReportId ? 'with' : 'without'} the id)`, async () => {
      const rig = hidRig({ includeReportId });
      await rig.link.open();
      expect(rig.link.maxWrite).toBe(65);
      const session = new SmpSession(rig.link, { clock: rig.clock });
      const text = 'report '.repeat(40);
      expect(await rig.clock.run(echo(session, text))).toBe(text);
      expect(await rig.clock.run(mcumgrParams(session))).toEqual({ bufSize: 384, bufCount: 4 });
      expect(await rig.clock.run(fieldIdentity(session))).toMatchObject({ id: '00124b0001a2b3c5', mode: 'update' });
      expect(rig.hid.written.length).toBeGreaterThan(5);
      for (const { report } of rig.hid.written) {
        expect(report.length).toBe(65);
        expect(report[0]).toBe(HID_REPORT_ID);
      }
      await rig.link.close();
    });
  }

  it('discards a partial packet when a report starting a new packet arrives first, and still gets the answer', async () => {
    const rig = hidRig();
    await rig.link.open();
    const diagnostics: SessionDiagnostic[] = [];
    const session = new SmpSession(rig.link, { clock: rig.clock, onDiagnostic: (d) => diagnostics.push(d) });
    const answer = echo(session, 'in step');
    // The first report of a 100-byte packet whose continuation never comes.
    const header = encodeHeader({ op: SmpOp.readResponse, version: 1, flags: 0, length: 92, group: 0, seq: 200, id: 0 });
    const stray = new Uint8Array(64);
    stray.set([HID_REPORT_ID, HID_FIRST | 20], 0);
    stray.set(header, 2);
    rig.hid.inject(HID_PATH, stray);
    expect(await rig.clock.run(answer)).toBe('in step');
    expect(diagnostics).toContainEqual({ kind: 'dropped', reason: 'incomplete', bytes: 20 });
    await rig.link.close();
  });

  it('closes with kind unplugged on node-hid error, and reopens by serial number at a new path after replug', async () => {
    const rig = hidRig();
    await rig.link.open();
    const session = new SmpSession(rig.link, { clock: rig.clock });
    const reasons: LinkCloseReason[] = [];
    rig.link.onClose((r) => reasons.push(r));
    const pending = echo(session, 'lost');
    rig.hid.unplug(HID_PATH);
    await expect(rig.clock.run(pending)).rejects.toMatchObject({ kind: 'link-closed' });
    expect(reasons).toEqual([{ kind: 'unplugged', message: expect.stringContaining('went away') }]);
    await expect(rig.link.open()).rejects.toMatchObject({ kind: 'not-found' });
    rig.hid.plug(rig.plug('/dev/hidraw5'));
    await rig.link.open();
    expect(rig.link.currentPath).toBe('/dev/hidraw5');
    expect(rig.link.id).toBe(`hid:${HID_SERIAL}`);
    expect(await rig.clock.run(echo(session, 'back'))).toBe('back');
    await rig.link.close();
    expect(reasons.at(-1)).toEqual({ kind: 'closed' });
  });

  it('reports an interface the OS will not open as permission-denied with the udev rule on Linux', async () => {
    const rig = hidRig();
    rig.hid.plug({ ...rig.plug(HID_PATH), refuseOpen: true });
    const err = await rig.link.open().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ kind: process.platform === 'linux' ? 'permission-denied' : 'busy' });
  });

  it('times a silent device out with a typed error', async () => {
    const rig = hidRig({ faults: { dropRate: 1 } });
    await rig.link.open();
    const session = new SmpSession(rig.link, { clock: rig.clock, timeoutMs: 1500, retries: 1 });
    const err = await rig.clock.run(echo(session, 'anyone?'), 50).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DeviceError);
    expect(err).toMatchObject({ kind: 'timeout' });
    await rig.link.close();
  });

  it('is made by the link factory for a hid descriptor, on the node-hid it is given', async () => {
    const rig = hidRig();
    const link = createLink({ kind: 'hid', path: HID_PATH, serialNumber: HID_SERIAL, vendorId: HID_VENDOR }, { hid: rig.hid });
    expect(link).toMatchObject({ id: `hid:${HID_SERIAL}`, kind: 'hid', framing: 'hid', maxWrite: 65 });
    await link.open();
    const session = new SmpSession(link, { clock: rig.clock });
    expect(await rig.clock.run(echo(session, 'factory'))).toBe('factory');
    await link.close();
  });

  it('rejects writes while closed with not-open, and reports larger than a report as io', async () => {
    const rig = hidRig();
    await expect(rig.link.write(Uint8Array.of(1))).rejects.toMatchObject({ kind: 'not-open' });
    await rig.link.open();
    await expect(rig.link.write(new Uint8Array(66))).rejects.toMatchObject({ kind: 'io' });
    await rig.link.close();
  });
});

describe('ReportIdDetector', () => {
  it('adds the id to reports delivered without it, decided by the first report of a packet', () => {
    const d = new ReportIdDetector('auto');
    expect([...d.normalise(Uint8Array.of(0x85, 1, 2, 3, 4, 5))]).toEqual([1, 0x85, 1, 2, 3, 4, 5]);
    // Once decided, a stripped continuation whose control byte is 0x01 is not mistaken for an id.
    expect([...d.normalise(Uint8Array.of(0x01, 9))]).toEqual([1, 0x01, 9]);
  });

  it('leaves reports that carry the id as they are', () => {
    const d = new ReportIdDetector('auto');
    const report = Uint8Array.of(1, 0x82, 7, 7);
    expect(d.normalise(report)).toBe(report);
    expect([...d.normalise(Uint8Array.of(1, 0x03, 1, 2, 3))]).toEqual([1, 3, 1, 2, 3]);
  });
});

describeUploadSuite('HID link through a node-hid double backed by the simulator', hidUploadRig);
