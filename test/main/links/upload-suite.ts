import { afterEach, describe, expect, it } from 'vitest';
import { DeviceError } from '../../../main/devices/errors';
import { bytesSource } from '../../../main/devices/image-source';
import { negotiateParams } from '../../../main/devices/params';
import { SmpSession } from '../../../main/devices/session';
import { uploadImage } from '../../../main/devices/upload';
import type { Clock } from '../../../main/links/clock';
import type { Link } from '../../../main/links/link';
import type { SimDevice } from '../../../main/sim/device';
import { buildSimImage } from '../../../main/sim/image-builder';
import { decodePacket, ImageCmd, SmpGroup } from '../../../main/smp';
import { FakeClock } from './fake-clock';

/** A link to a simulated device, made fresh for each test of {@link describeUploadSuite}. */
export interface UploadRig {
  /** A {@link FakeClock} the suite steps, or a real clock (a device on a pty) whose time just passes. */
  clock: Clock;
  /** Unopened link to the device. */
  link: Link;
  device: SimDevice;
  /** The link breaks from the far side, as a radio drop or an unplug does; the device stays reachable for a reopen. */
  breakLink(): void;
  /** Opens the link again after {@link breakLink} (default: one `link.open`). */
  reopen?(signal?: AbortSignal): Promise<void>;
  /** Writes reaching the device from now on are lost (a device that hears nothing). */
  silence(): void;
  /** Largest write the transport accepts (checked after the upload), Infinity for streams. */
  maxUnit: number;
  /** Sizes of every unit the host wrote, for the write-size check. */
  unitSizes(): number[];
  /** What the device side threw away (frames over its buffer, broken lines), when the rig can tell. */
  dropped?(): unknown[];
  /** Frees what the rig holds (socat, ports, timers); called after each test, passed or failed. */
  dispose?(): Promise<void>;
}

/** Device buffers for a test. */
export interface RigDeviceOptions {
  bufSize: number;
  bufCount: number;
}

const IMAGE_BYTES = 24 * 1024;

/** Lets the rig's time pass until `p` settles: a fake clock is stepped, real time simply goes by. */
function runOn(clock: Clock): <T>(p: Promise<T>, stepMs?: number) => Promise<T> {
  return clock instanceof FakeClock ? (p, stepMs) => clock.run(p, stepMs) : (p) => p;
}

/**
 * The upload tests every link runs, over a simulated device behind the link's own library
 * boundary: whole image, pipelined image, resume after a break at 50 %, and silence.
 * BLE and HID run it on doubles and a fake clock; serial on a real pty in front of the simulator.
 */
export function describeUploadSuite(title: string, makeRig: (o: RigDeviceOptions) => Promise<UploadRig>): void {
  describe(`${title}: the shared upload suite`, () => {
    const image = buildSimImage({ version: '1.1.0+0', board: 'nrf52840dk', bodySize: IMAGE_BYTES, seed: title });
    const rigs: UploadRig[] = [];
    afterEach(async () => {
      for (const rig of rigs.splice(0)) {
        await rig.link.close().catch(() => undefined);
        await rig.dispose?.();
      }
    });
    const make = async (o: RigDeviceOptions) => {
      const rig = await makeRig(o);
      rigs.push(rig);
      return { rig, run: runOn(rig.clock) };
    };
    const expectClean = (rig: UploadRig) => {
      expect(Math.max(...rig.unitSizes())).toBeLessThanOrEqual(rig.maxUnit);
      if (rig.dropped) expect(rig.dropped()).toEqual([]);
    };

    it('uploads a whole image one chunk at a time and the device checks it with match: true', async () => {
      const { rig, run } = await make({ bufSize: 384, bufCount: 1 });
      await run(rig.link.open());
      const session = new SmpSession(rig.link, { clock: rig.clock });
      const params = await run(negotiateParams(session));
      expect(session.window).toBe(1);
      const result = await run(uploadImage(session, bytesSource(image), { bufSize: params.bufSize, clock: rig.clock }));
      expect(result).toMatchObject({ total: image.length, match: true, resumedFrom: 0, recoveries: 0 });
      expect(Buffer.compare(rig.device.flash.image(1)?.bytes ?? new Uint8Array(0), image)).toBe(0);
      expectClean(rig);
    });

    it('pipelines chunks up to the window the device allows (buf_count − 1) and the image arrives whole', async () => {
      const { rig, run } = await make({ bufSize: 512, bufCount: 4 });
      await run(rig.link.open());
      const session = new SmpSession(rig.link, { clock: rig.clock });
      const params = await run(negotiateParams(session));
      expect(session.window).toBe(3);
      let peak = 0;
      const result = await run(
        uploadImage(session, bytesSource(image), { bufSize: params.bufSize, clock: rig.clock, onProgress: () => (peak = Math.max(peak, session.inFlight)) }),
      );
      expect(result.match).toBe(true);
      expect(peak).toBeGreaterThan(1);
      expect(rig.device.stats.noBuffer).toBe(0);
      expect(Buffer.compare(rig.device.flash.image(1)?.bytes ?? new Uint8Array(0), image)).toBe(0);
      expectClean(rig);
    });

    it("resumes from the device's offset after the link breaks at 50 %, not from zero", async () => {
      const { rig, run } = await make({ bufSize: 384, bufCount: 3 });
      await run(rig.link.open());
      const session = new SmpSession(rig.link, { clock: rig.clock });
      const params = await run(negotiateParams(session));
      let broken = false;
      let heldAtBreak = 0;
      const reopenedAt: number[] = [];
      const progress: number[] = [];
      const reopen = rig.reopen?.bind(rig) ?? ((signal?: AbortSignal) => rig.link.open(signal));
      // What the client sent, as the device received it: each upload request's offset, and whether it came after the reopen.
      const offsets: { off: number; afterReopen: boolean }[] = [];
      const handle = rig.device.handlePacket.bind(rig.device);
      rig.device.handlePacket = (packet) => {
        const d = decodePacket(packet);
        if (d.ok && d.header.group === SmpGroup.image && d.header.id === ImageCmd.upload) offsets.push({ off: d.body.off as number, afterReopen: reopenedAt.length > 0 });
        handle(packet);
      };
      const result = await run(
        uploadImage(session, bytesSource(image), {
          bufSize: params.bufSize,
          clock: rig.clock,
          reconnect: async (signal) => {
            await reopen(signal);
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
      expect(result.match).toBe(true);
      // One recovery for the break; on a real pty under load, a chunk sent ahead just before the break
      // may also time out once after the reopen (serial send-ahead), still resuming from the device's offset.
      expect(result.recoveries).toBeGreaterThanOrEqual(1);
      expect(result.recoveries).toBeLessThanOrEqual(2);
      expect(reopenedAt).toHaveLength(1);
      // After the reopen the first progress report is the device's own offset, at least what it held at the break.
      const firstAfter = progress[reopenedAt[0] as number] as number;
      expect(firstAfter).toBeGreaterThanOrEqual(heldAtBreak);
      expect(Math.min(...progress.slice(reopenedAt[0]))).toBeGreaterThanOrEqual(heldAtBreak);
      // The client itself went on from there: no request after the reopen starts over (off 0) or goes back below it.
      const sentAfter = offsets.filter((o) => o.afterReopen).map((o) => o.off);
      expect(sentAfter.length).toBeGreaterThan(0);
      expect(Math.min(...sentAfter)).toBeGreaterThanOrEqual(heldAtBreak);
      expect(offsets.filter((o) => o.off === 0)).toHaveLength(1);
      expect(Buffer.compare(rig.device.flash.image(1)?.bytes ?? new Uint8Array(0), image)).toBe(0);
    });

    it('ends with a typed timeout when the device never answers', async () => {
      const { rig, run } = await make({ bufSize: 384, bufCount: 1 });
      await run(rig.link.open());
      rig.silence();
      // Short timeouts: on a real pty this test waits them out in real time.
      const session = new SmpSession(rig.link, { clock: rig.clock, timeoutMs: 200, retries: 1 });
      const upload = uploadImage(session, bytesSource(image), { bufSize: 384, clock: rig.clock, firstChunkTimeoutMs: 300, maxRecoveries: 1 });
      const err = await run(upload, 50).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DeviceError);
      expect(err).toMatchObject({ kind: 'timeout' });
      expect(rig.device.flash.image(1)).toBeUndefined();
    });
  });
}
