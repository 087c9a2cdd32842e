import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { echo, mcumgrParams } from '../../../main/devices/commands/os';
import { fieldIdentity } from '../../../main/devices/commands/field';
import { DeviceError } from '../../../main/devices/errors';
import { bytesSource } from '../../../main/devices/image-source';
import { negotiateParams } from '../../../main/devices/params';
import { uploadImage } from '../../../main/devices/upload';
import { SmpSession } from '../../../main/devices/session';
import { BleLink } from '../../../main/links/ble-link';
import { SMP_SERVICE_UUID } from '../../../main/links/ble-noble';
import { createLink } from '../../../main/links/factory';
import { scanBle } from '../../../main/links/ble-scan';
import { LinkError, type LinkCloseReason } from '../../../main/links/link';
import { SimDevice } from '../../../main/sim/device';
import { buildSimImage } from '../../../main/sim/image-builder';
import { createSimLink } from '../../../main/sim/sim-link';
import { encodePacket, OsCmd, SmpGroup, SmpOp } from '../../../main/smp';
import { BLE_ADDRESS, bleRig, bleUploadRig } from './doubles/ble-rig';
import { NobleDouble, PeripheralDouble } from './doubles/noble-double';
import { FakeClock } from './fake-clock';
import { describeUploadSuite } from './upload-suite';

async function failure(p: Promise<unknown>, run: (p: Promise<unknown>) => Promise<unknown>): Promise<unknown> {
  return run(p).then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('BLE link through a noble double backed by the simulator', () => {
  it('scans for the SMP service only and reports name, address and RSSI', async () => {
    const rig = bleRig();
    rig.noble.add(new PeripheralDouble({ address: 'aa:bb:cc:00:00:09', device: rig.device, clock: rig.clock, hasSmp: false, name: 'heart-rate' }));
    const result = await rig.clock.run(scanBle(rig.noble, { durationMs: 500, clock: rig.clock }));
    expect(rig.noble.scans[0]?.uuids).toEqual([SMP_SERVICE_UUID]);
    expect(result.found).toEqual([{ address: BLE_ADDRESS, id: 'c0ffee000001', name: 'sf-sensor', rssi: -58 }]);
    expect(rig.noble.scanning).toBe(false);
  });

  for (const mtu of [23, 247, 498]) {
    it(`at MTU ${mtu}: writes at most MTU − 3 bytes without response and reassembles split answers`, async () => {
      const rig = bleRig({ mtu });
      await rig.clock.run(rig.link.open());
      expect(rig.link.maxWrite).toBe(mtu - 3);
      const session = new SmpSession(rig.link, { clock: rig.clock });
      const text = 'field test '.repeat(30);
      expect(await rig.clock.run(echo(session, text))).toBe(text);
      expect(await rig.clock.run(mcumgrParams(session))).toEqual({ bufSize: 384, bufCount: 4 });
      expect(await rig.clock.run(fieldIdentity(session))).toMatchObject({ id: '00124b0001a2b3c4', board: 'nrf52840dk', mode: 'update' });
      const sizes = rig.peripheral.writes.map((w) => w.data.length);
      const request = encodePacket({ op: SmpOp.write, group: SmpGroup.os, id: OsCmd.echo, seq: 0, body: { d: text } });
      expect(Math.max(...sizes)).toBe(Math.min(mtu - 3, request.length));
      expect(rig.peripheral.writes.every((w) => w.withoutResponse)).toBe(true);
      await rig.link.close();
    });
  }

  it('assembles an answer however its notifications are split (property over split points)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 6 }), fc.string({ minLength: 1, maxLength: 120 }), async (cuts, text) => {
        const reslice = (unit: Uint8Array) => {
          const points = [...new Set(cuts.filter((c) => c < unit.length))].sort((a, b) => a - b);
          return [0, ...points].map((from, i) => unit.subarray(from, points[i] ?? unit.length));
        };
        const rig = bleRig({ mtu: 498, reslice });
        await rig.clock.run(rig.link.open());
        const session = new SmpSession(rig.link, { clock: rig.clock });
        expect(await rig.clock.run(echo(session, text))).toBe(text);
        await rig.link.close();
      }),
      { numRuns: 40 },
    );
  });

  it('assembles an answer split in two at every single position', async () => {
    const text = 'split me anywhere';
    const answerLength = 8 + 1 + 2 + text.length + 1; // header, map, "r", text head + bytes
    for (let at = 1; at < answerLength; at++) {
      const rig = bleRig({ mtu: 247, reslice: (u) => [u.subarray(0, at), u.subarray(at)] });
      await rig.clock.run(rig.link.open());
      const session = new SmpSession(rig.link, { clock: rig.clock });
      expect(await rig.clock.run(echo(session, text))).toBe(text);
      await rig.link.close();
    }
  });

  it('reports the adapter being off as adapter-off with what to do', async () => {
    const rig = bleRig({ adapterState: 'poweredOff' });
    const err = await failure(rig.link.open(), (p) => rig.clock.run(p));
    expect(err).toBeInstanceOf(LinkError);
    expect(err).toMatchObject({ kind: 'adapter-off' });
    expect((err as LinkError).hint).toMatch(/Turn Bluetooth on/);
  });

  it('waits for an adapter that is still powering on instead of failing at once', async () => {
    const rig = bleRig({ adapterState: 'poweredOff' });
    rig.clock.schedule(() => rig.noble.setState('poweredOn'), 800);
    await rig.clock.run(rig.link.open());
    expect(rig.link.isOpen).toBe(true);
    await rig.link.close();
  });

  it('reports a refused adapter as permission-denied with the setcap commands for Node and Electron', async () => {
    const rig = bleRig({ adapterState: 'unauthorized' });
    const err = await failure(rig.link.open(), (p) => rig.clock.run(p));
    expect(err).toMatchObject({ kind: 'permission-denied' });
    const hint = (err as LinkError).hint ?? '';
    expect(hint).toContain('sudo setcap cap_net_raw+eip $(eval readlink -f $(which node))');
    expect(hint).toMatch(/Electron binary/);
  });

  it('reports a device that does not advertise as out-of-range after the connect timeout', async () => {
    const rig = bleRig({ connectTimeoutMs: 4000 });
    rig.peripheral.inRange = false;
    const started = rig.clock.now();
    const err = await failure(rig.link.open(), (p) => rig.clock.run(p, 50));
    expect(err).toMatchObject({ kind: 'out-of-range' });
    expect(rig.clock.now() - started).toBeGreaterThanOrEqual(4000);
    expect(rig.link.isOpen).toBe(false);
  });

  it('cancels a connect that never completes and reports out-of-range', async () => {
    const rig = bleRig({ connectTimeoutMs: 3000 });
    rig.peripheral.connectHangs = true;
    const err = await failure(rig.link.open(), (p) => rig.clock.run(p, 50));
    expect(err).toMatchObject({ kind: 'out-of-range' });
    expect(rig.peripheral.state).toBe('disconnected');
  });

  it('closes with kind disconnected when the connection drops, fails the waiting request, and reopens', async () => {
    const rig = bleRig({ mtu: 247 });
    await rig.clock.run(rig.link.open());
    const session = new SmpSession(rig.link, { clock: rig.clock });
    const reasons: LinkCloseReason[] = [];
    rig.link.onClose((r) => reasons.push(r));
    const pending = echo(session, 'lost');
    rig.peripheral.drop(0x08);
    await expect(rig.clock.run(pending)).rejects.toMatchObject({ kind: 'link-closed' });
    expect(reasons).toEqual([{ kind: 'disconnected', message: expect.stringMatching(/out of range/) }]);
    expect(rig.link.isOpen).toBe(false);
    await rig.clock.run(rig.link.open());
    expect(rig.peripheral.connects).toBe(2);
    expect(await rig.clock.run(echo(session, 'back'))).toBe('back');
    await rig.link.close();
    expect(reasons.at(-1)).toEqual({ kind: 'closed' });
  });

  it('times a silent device out with a typed error', async () => {
    const rig = bleRig({ mtu: 247, faults: { dropRate: 1 } });
    await rig.clock.run(rig.link.open());
    const session = new SmpSession(rig.link, { clock: rig.clock, timeoutMs: 1500, retries: 1 });
    const err = await failure(echo(session, 'anyone?'), (p) => rig.clock.run(p, 50));
    expect(err).toBeInstanceOf(DeviceError);
    expect(err).toMatchObject({ kind: 'timeout' });
  });

  it('rejects writes while closed with not-open', async () => {
    const { link } = bleRig();
    await expect(link.write(Uint8Array.of(1))).rejects.toMatchObject({ kind: 'not-open' });
  });

  it('is made by the link factory for a ble descriptor, on the noble it is given', async () => {
    const rig = bleRig({ mtu: 185 });
    const link = createLink({ kind: 'ble', address: BLE_ADDRESS.toUpperCase() }, { noble: rig.noble });
    expect(link).toMatchObject({ id: `ble:${BLE_ADDRESS}`, kind: 'ble', framing: 'ble', isOpen: false, maxWrite: 20 });
    await rig.clock.run(link.open());
    expect(link.maxWrite).toBe(182);
    await link.close();
  });

  it('reports a noble that cannot be loaded as adapter-off', async () => {
    const link = new BleLink({ address: BLE_ADDRESS, noble: () => Promise.reject(new Error('No native build was found')) });
    await expect(link.open()).rejects.toMatchObject({ kind: 'adapter-off', message: expect.stringContaining('No native build') });
  });

  it('starts noble only through a stateChange listener, as the real module does', async () => {
    const rig = bleRig();
    expect(rig.noble.state).toBe('unknown');
    expect(rig.noble).toBeInstanceOf(NobleDouble);
    await rig.clock.run(rig.link.open());
    expect(rig.noble.state).toBe('poweredOn');
    await rig.link.close();
  });
});

describe('BLE uploads and the ATT MTU', () => {
  const image = buildSimImage({ version: '1.1.0+0', board: 'nrf52840dk', bodySize: 6000, seed: 'mtu' });

  it('a session made before the link opens writes at the MTU negotiated on open, not at 20 bytes', async () => {
    const rig = bleRig({ mtu: 247, device: { bufSize: 2475, bufCount: 4 } });
    const session = new SmpSession(rig.link, { clock: rig.clock });
    expect(rig.link.maxWrite).toBe(20);
    await rig.clock.run(rig.link.open());
    const params = await rig.clock.run(negotiateParams(session));
    const result = await rig.clock.run(uploadImage(session, bytesSource(image), { bufSize: params.bufSize, clock: rig.clock }));
    expect(result.match).toBe(true);
    const sizes = rig.peripheral.writes.map((w) => w.data.length);
    expect(Math.max(...sizes)).toBe(244);
    // Chunks of up to buf_size split into 244-byte writes: far fewer writes than 20-byte slices would need.
    expect(sizes.length).toBeLessThan(Math.ceil(image.length / 20) / 5);
    await rig.link.close();
  });

  it('at MTU 23 a device that reassembles gets each chunk split over 20-byte writes', async () => {
    const rig = bleRig({ mtu: 23, device: { bufSize: 384, bufCount: 2 } });
    await rig.clock.run(rig.link.open());
    const session = new SmpSession(rig.link, { clock: rig.clock });
    const result = await rig.clock.run(uploadImage(session, bytesSource(image), { bufSize: 384, clock: rig.clock }));
    expect(result.match).toBe(true);
    expect(Math.max(...rig.peripheral.writes.map((w) => w.data.length))).toBe(20);
    expect(rig.device.stats.requests).toBeLessThan(image.length / 300);
    await rig.link.close();
  });

  it('at MTU 23 a device without reassembly gets a refused error that names the MTU, before any byte is sent', async () => {
    const rig = bleRig({ mtu: 23 });
    await rig.clock.run(rig.link.open());
    const session = new SmpSession(rig.link, { clock: rig.clock });
    const err = await failure(uploadImage(session, bytesSource(image), { bufSize: 384, bleReassembly: false, clock: rig.clock }), (p) => rig.clock.run(p));
    expect(err).toBeInstanceOf(DeviceError);
    expect(err).toMatchObject({ kind: 'refused', userFault: true, details: { reason: 'chunk-too-small', packetLimit: 20 } });
    expect((err as DeviceError).message).toMatch(/20-byte BLE write.*does not reassemble.*larger MTU/);
    expect(rig.peripheral.writes).toEqual([]);
    await rig.link.close();
  });

  it('reports a device that turns out not to reassemble split writes as refused, with what to change', async () => {
    // The simulator's BLE side without reassembly (Zephyr without CONFIG_MCUMGR_TRANSPORT_BT_REASSEMBLY), on its in-process link.
    const clock = new FakeClock();
    const device = new SimDevice({ board: 'nrf52840dk', id: '00124b0001a2b3c4', clock, mode: 'update' });
    const link = createSimLink(device, { clock, framing: 'ble', maxWrite: 20, bleReassembly: false });
    await link.open();
    const session = new SmpSession(link, { clock });
    const err = await failure(uploadImage(session, bytesSource(image), { bufSize: 384, clock }), (p) => clock.run(p));
    expect(err).toBeInstanceOf(DeviceError);
    expect(err).toMatchObject({ kind: 'refused', details: { reason: 'no-ble-reassembly', maxWrite: 20 } });
    expect((err as DeviceError).message).toMatch(/BLE reassembly off|larger MTU/);
    expect(device.flash.image(1)).toBeUndefined();
    session.dispose();
    await link.close();
    device.dispose();
  });

  it('without reassembly at MTU 247 each request fits one write and the upload completes', async () => {
    const rig = bleRig({ mtu: 247, device: { bufSize: 2475, bufCount: 4 } });
    await rig.clock.run(rig.link.open());
    const session = new SmpSession(rig.link, { clock: rig.clock });
    const result = await rig.clock.run(uploadImage(session, bytesSource(image), { bufSize: 2475, bleReassembly: false, clock: rig.clock }));
    expect(result.match).toBe(true);
    // One write per request: as many writes as the device saw requests.
    expect(rig.peripheral.writes.length).toBe(rig.device.stats.requests);
    expect(Math.max(...rig.peripheral.writes.map((w) => w.data.length))).toBeLessThanOrEqual(244);
    await rig.link.close();
  });
});

describeUploadSuite('BLE link at MTU 23 (device reassembles) through a noble double backed by the simulator', (d) => bleUploadRig(23, d));
describeUploadSuite('BLE link at MTU 247 through a noble double backed by the simulator', (d) => bleUploadRig(247, d));
describeUploadSuite('BLE link at MTU 498 through a noble double backed by the simulator', (d) => bleUploadRig(498, d));
