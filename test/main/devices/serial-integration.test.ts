import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceIdentity } from '../../../main/devices/commands/field';
import { settingsCommit, settingsDelete, settingsRead, settingsSave, settingsWrite } from '../../../main/devices/commands/settings';
import { DeviceError } from '../../../main/devices/errors';
import { bytesSource } from '../../../main/devices/image-source';
import { negotiateParams } from '../../../main/devices/params';
import { reopenWithBackoff } from '../../../main/devices/reconnect';
import { SmpSession } from '../../../main/devices/session';
import { runUpdate, type UpdateImage } from '../../../main/devices/update-flow';
import { uploadImage } from '../../../main/devices/upload';
import { SerialLink } from '../../../main/links/serial-link';
import { SimDevice } from '../../../main/sim/device';
import { buildSimImage } from '../../../main/sim/image-builder';
import { inspectSlotImage } from '../../../main/sim/slot-image';
import { systemClock } from '../../../main/links/clock';
import { describeUploadSuite, type RigDeviceOptions, type UploadRig } from '../links/upload-suite';
import { SimOnPty } from './sim-on-pty';

/** Fast flash and a 1 Mbaud line, so that each case takes well under a few seconds. */
const FAST = { baud: 1_000_000, processingMs: 0, eraseMsPerSector: 0.2, writeBytesPerMs: 20_000, resetDelayMs: 10, bootMs: 40, swapMsPerSector: 0.2 };

let sim: SimOnPty | undefined;
let session: SmpSession | undefined;
afterEach(async () => {
  session?.dispose();
  await session?.link.close();
  await sim?.stop();
  sim = undefined;
  session = undefined;
});

async function connect(device: SimDevice): Promise<{ sim: SimOnPty; session: SmpSession; link: SerialLink }> {
  sim = await SimOnPty.start(device, { followPower: true });
  const link = new SerialLink({ path: sim.hostPath, baudRate: 1_000_000 });
  await link.open();
  session = new SmpSession(link, { timeoutMs: 2000 });
  return { sim, session, link };
}

function newDevice(board = 'nrf52840dk'): SimDevice {
  return new SimDevice({ board, id: '00124b0001020304', version: '1.0.0+0', clock: systemClock, timing: FAST });
}

function imageFor(board: string, size = 48_000): { bytes: Uint8Array; image: UpdateImage } {
  const bytes = buildSimImage({ version: '1.1.0+0', board, bodySize: size });
  const info = inspectSlotImage(bytes);
  if (!info) throw new Error('the test image does not parse');
  return { bytes, image: { source: bytesSource(bytes), hash: info.hash, version: '1.1.0' } };
}

/** The shared upload suite's rig: the simulator behind a real pty, opened with serialport, on real time. */
async function serialUploadRig(d: RigDeviceOptions): Promise<UploadRig> {
  const device = new SimDevice({ board: 'nrf52840dk', id: '00124b0001020305', version: '1.0.0+0', clock: systemClock, timing: FAST, bufSize: d.bufSize, bufCount: d.bufCount });
  const pty = await SimOnPty.start(device, { followPower: true });
  const link = new SerialLink({ path: pty.hostPath, baudRate: 1_000_000 });
  const sizes: number[] = [];
  const write = link.write.bind(link);
  link.write = (data) => (sizes.push(data.length), write(data));
  return {
    clock: systemClock,
    link,
    device,
    breakLink: () => void pty.cut().then(() => pty.restore()),
    reopen: (signal) => reopenWithBackoff(link, { initialDelayMs: 20, timeoutMs: 10_000, ...(signal ? { signal } : {}) }),
    silence: () => pty.silence(),
    maxUnit: Infinity,
    unitSizes: () => sizes,
    dropped: () => pty.transport.dropped,
    dispose: () => pty.stop(),
  };
}

describeUploadSuite('Serial link on a real pty in front of the simulator', serialUploadRig);

const boardCheck = (board: string) => (identity: DeviceIdentity | undefined) => {
  if (identity && identity.board !== board) throw new DeviceError('refused', `This image is for ${board}; the device is a ${identity.board}.`);
};

describe('SMP over a real pseudo-terminal against the simulator', () => {
  it('uploads, tests, resets, waits for the device and confirms the new image', async () => {
    const device = newDevice();
    const { session } = await connect(device);
    const { image } = imageFor('nrf52840dk');
    const steps: string[] = [];
    const result = await runUpdate(session, image, { check: boardCheck('nrf52840dk'), onStep: (s) => steps.push(s), reconnect: { timeoutMs: 10_000 } });
    expect(result.outcome).toBe('confirmed');
    expect(steps).toEqual(['checking', 'uploading', 'testing', 'resetting', 'rebooting', 'confirming']);
    const active = result.slots.find((s) => s.active);
    expect(active).toMatchObject({ slot: 0, version: '1.1.0+0', confirmed: true });
    expect(Buffer.compare(device.flash.image(0)?.hash ?? new Uint8Array(0), image.hash)).toBe(0);
    expect(device.stats.swaps).toBe(1);
  });

  // The shared suite cuts at 50 %; these cut near either end, where a resume is easiest to get wrong.
  for (const fraction of [0.1, 0.9]) {
    it(`resumes from the device's offset after a disconnect at ${fraction * 100} %`, async () => {
      const device = newDevice();
      const { sim, session, link } = await connect(device);
      const params = await negotiateParams(session);
      const { bytes, image } = imageFor('nrf52840dk', 64_000);
      const seen: number[] = [];
      let cutAfter = -1;
      const result = await uploadImage(session, image.source, {
        bufSize: params.bufSize,
        reconnect: (signal) => reopenWithBackoff(link, { initialDelayMs: 20, timeoutMs: 10_000, signal }),
        onProgress: (b) => {
          seen.push(b);
          if (cutAfter < 0 && b >= fraction * bytes.length) {
            cutAfter = seen.length;
            void sim.cut().then(() => new Promise((r) => setTimeout(r, 50))).then(() => sim.restore());
          }
        },
      });
      expect(result.recoveries).toBeGreaterThanOrEqual(1);
      expect(Buffer.compare(device.flash.image(1)?.hash ?? new Uint8Array(0), image.hash)).toBe(0);
      expect(result.match).toBe(true);
      // Every offset after the cut is at least the last one the device confirmed before it.
      const before = seen[cutAfter - 1] as number;
      expect(Math.min(...seen.slice(cutAfter))).toBeGreaterThanOrEqual(before);
      expect(before).toBeGreaterThan(0);
    });
  }

  it('reports a rollback when power is lost before the new image is confirmed', async () => {
    const device = newDevice();
    const { session } = await connect(device);
    const { image } = imageFor('nrf52840dk');
    let ups = 0;
    device.onPower((e) => {
      // The first boot after the test swap runs the new image on trial: cut the power right then.
      if (e === 'up' && ++ups === 1) device.powerLoss(30);
    });
    const result = await runUpdate(session, image, { reconnect: { timeoutMs: 10_000 } });
    expect(result.outcome).toBe('rolled-back');
    const active = result.slots.find((s) => s.active);
    expect(active).toMatchObject({ slot: 0, version: '1.0.0+0', confirmed: true });
    expect(device.stats.swaps).toBe(2);
  });

  it('writes, commits, saves, reads back and deletes a setting', async () => {
    const device = newDevice();
    const { session } = await connect(device);
    const pan = Uint8Array.of(0x34, 0x12);
    await settingsWrite(session, 'net/pan_id', pan);
    await settingsCommit(session);
    await settingsSave(session);
    expect([...(await settingsRead(session, 'net/pan_id'))]).toEqual([0x34, 0x12]);
    expect(device.panId()).toBe(0x1234);
    await settingsDelete(session, 'net/pan_id');
    await expect(settingsRead(session, 'net/pan_id')).rejects.toMatchObject({ kind: 'smp', group: 3, codeName: 'KEY_NOT_FOUND' });
  });

  it('refuses an image for another board before any image byte is sent', async () => {
    const device = newDevice('nrf52840dk');
    const { session } = await connect(device);
    const { image } = imageFor('thingy91');
    await expect(runUpdate(session, image, { check: boardCheck('thingy91') })).rejects.toMatchObject({ kind: 'refused' });
    // Only mcumgr params and the identity were asked; slot 1 stays empty.
    expect(device.stats.requests).toBe(2);
    expect(device.flash.image(1)).toBeUndefined();
  });
});
