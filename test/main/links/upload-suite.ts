import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../../main/devices/errors';
import { bytesSource } from '../../../main/devices/image-source';
import { negotiateParams } from '../../../main/devices/params';
import { SmpSession } from '../../../main/devices/session';
import { uploadImage } from '../../../main/devices/upload';
import type { Link } from '../../../main/links/link';
import type { SimDevice } from '../../../main/sim/device';
import { buildSimImage } from '../../../main/sim/image-builder';
import type { FakeClock } from './fake-clock';

/** A link to a simulated device, made fresh for each test of {@link describeUploadSuite}. */
export interface UploadRig {
  clock: FakeClock;
  /** Unopened link to the device. */
  link: Link;
  device: SimDevice;
  /** The link breaks from the far side, as a radio drop or an unplug does; the device stays reachable for a reopen. */
  breakLink(): void;
  /** Writes reaching the device from now on are lost (a device that hears nothing). */
  silence(): void;
  /** Largest write the transport accepts (checked after the upload), Infinity for streams. */
  maxUnit: number;
  /** Sizes of every unit the host wrote, for the write-size check. */
  unitSizes(): number[];
}

/** Device buffers for a test. */
export interface RigDeviceOptions {
  bufSize: number;
  bufCount: number;
}

const IMAGE_BYTES = 24 * 1024;

/**
 * The upload tests every link runs, over a simulated device behind the link's own library
 * boundary: whole image, pipelined image, resume after a break at 50 %, and silence.
 * Serial should call it too (through serialport's MockBinding or a pty in front of the simulator).
 */
export function describeUploadSuite(title: string, makeRig: (o: RigDeviceOptions) => Promise<UploadRig>): void {
  describe(`${title}: the shared upload suite`, () => {
    const image = buildSimImage({ version: '1.1.0+0', board: 'nrf52840dk', bodySize: IMAGE_BYTES, seed: title });

    it('uploads a whole image one chunk at a time and the device checks it with match: true', async () => {
      const rig = await makeRig({ bufSize: 384, bufCount: 1 });
      await rig.clock.run(rig.link.open());
      const session = new SmpSession(rig.link, { clock: rig.clock });
      const params = await rig.clock.run(negotiateParams(session));
      expect(session.window).toBe(1);
      const result = await rig.clock.run(uploadImage(session, bytesSource(image), { bufSize: params.bufSize, clock: rig.clock }));
      expect(result).toMatchObject({ total: image.length, match: true, resumedFrom: 0, recoveries: 0 });
      expect(Buffer.compare(rig.device.flash.image(1)?.bytes ?? new Uint8Array(0), image)).toBe(0);
      expect(Math.max(...rig.unitSizes())).toBeLessThanOrEqual(rig.maxUnit);
      await rig.link.close();
    });

    it('pipelines chunks up to the window the device allows (buf_count − 1) and the image arrives whole', async () => {
      const rig = await makeRig({ bufSize: 512, bufCount: 4 });
      await rig.clock.run(rig.link.open());
      const session = new SmpSession(rig.link, { clock: rig.clock });
      const params = await rig.clock.run(negotiateParams(session));
      expect(session.window).toBe(3);
      let peak = 0;
      const result = await rig.clock.run(
        uploadImage(session, bytesSource(image), { bufSize: params.bufSize, clock: rig.clock, onProgress: () => (peak = Math.max(peak, session.inFlight)) }),
      );
      expect(result.match).toBe(true);
      expect(peak).toBeGreaterThan(1);
      expect(rig.device.stats.noBuffer).toBe(0);
      expect(Buffer.compare(rig.device.flash.image(1)?.bytes ?? new Uint8Array(0), image)).toBe(0);
      await rig.link.close();
    });

    it("resumes from the device's offset after the link breaks at 50 %, not from zero", async () => {
      const rig = await makeRig({ bufSize: 384, bufCount: 3 });
      await rig.clock.run(rig.link.open());
      const session = new SmpSession(rig.link, { clock: rig.clock });
      const params = await rig.clock.run(negotiateParams(session));
      let broken = false;
      let heldAtBreak = 0;
      const reopenedAt: number[] = [];
      const progress: number[] = [];
      const result = await rig.clock.run(
        uploadImage(session, bytesSource(image), {
          bufSize: params.bufSize,
          clock: rig.clock,
          reconnect: async (signal) => {
            await rig.link.open(signal);
            reopenedAt.push(progress.length);
          },
          onProgress: (bytes) => {
            progress.push(bytes);
            if (!broken && bytes >= image.length / 2) {
              broken = true;
              heldAtBreak = bytes;
              rig.breakLink();
            }
          },
        }),
      );
      expect(result).toMatchObject({ match: true, recoveries: 1 });
      expect(reopenedAt).toHaveLength(1);
      // After the reopen the first progress report is the device's own offset, at least what it held at the break.
      const firstAfter = progress[reopenedAt[0] as number] as number;
      expect(firstAfter).toBeGreaterThanOrEqual(heldAtBreak);
      expect(Math.min(...progress.slice(reopenedAt[0]))).toBeGreaterThanOrEqual(heldAtBreak);
      expect(Buffer.compare(rig.device.flash.image(1)?.bytes ?? new Uint8Array(0), image)).toBe(0);
      await rig.link.close();
    });

    it('ends with a typed timeout when the device never answers', async () => {
      const rig = await makeRig({ bufSize: 384, bufCount: 1 });
      await rig.clock.run(rig.link.open());
      rig.silence();
      const session = new SmpSession(rig.link, { clock: rig.clock, timeoutMs: 2000, retries: 1 });
      const upload = uploadImage(session, bytesSource(image), { bufSize: 384, clock: rig.clock, firstChunkTimeoutMs: 5000, maxRecoveries: 1 });
      const err = await rig.clock.run(upload, 100).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DeviceError);
      expect(err).toMatchObject({ kind: 'timeout' });
      await rig.link.close();
    });
  });
}
