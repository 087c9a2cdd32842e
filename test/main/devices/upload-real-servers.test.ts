import { describe, expect, it } from 'vitest';
import { bytesSource } from '../../../main/devices/image-source';
import { negotiateParams } from '../../../main/devices/params';
import { uploadImage } from '../../../main/devices/upload';
import { SmpSession } from '../../../main/devices/session';
import { createLoopbackPair } from '../../../main/links/loopback-link';
import { drive } from '../gateway/sim-gateway';
import { FakeClock } from '../links/fake-clock';
import { ScriptedDevice } from './scripted-device';
import { realServer, vector, type SentUpload } from './real-servers';

const S06 = vector('s06_ed25519_pad_confirm');

const bytesSent = (sent: SentUpload[]) => sent.reduce((n, s) => n + s.bytes, 0);

describe('upload to MCUboot serial recovery (the mcuboot-recovery personality, smp.md §11.1)', () => {
  it('an 8-aligned device: no false resume, no re-sent byte, every chunk sent where the device said', async () => {
    const r = await realServer({ personality: 'mcuboot-recovery', lineBuffers: 7 });
    const result = await drive(r.clock, uploadImage(r.session, bytesSource(S06), { bufSize: 1024 }), 10);
    expect(result).toMatchObject({ total: S06.length, resumedFrom: 0, recoveries: 0, alignment: 8 });
    expect(Buffer.compare(r.device.flash.image(0)?.bytes ?? new Uint8Array(0), S06)).toBe(0);
    expect(bytesSent(r.sent)).toBe(S06.length);
    expect(r.sent.filter((s) => s.off === 0)).toHaveLength(1);
    // Each chunk starts where the one before it ended: nothing sent twice, no gap.
    for (let i = 1; i < r.sent.length; i++) expect(r.sent[i]?.off).toBe((r.sent[i - 1]?.off as number) + (r.sent[i - 1]?.bytes as number));
    // Lines sent ahead all found a free line buffer.
    expect(r.transport.dropped).toEqual([]);
  });

  it('send-ahead within the 7 free line buffers keeps the line full: closer to the framing bound than one whole request at a time', async () => {
    // Fake-clock time of the device model at 115200 baud (answers in 0.25 ms, as recorded).
    const ratio = async (lineBuffers: number | undefined) => {
      const r = await realServer({ personality: 'mcuboot-recovery', timing: { processingMs: 0.25, writeBytesPerMs: 1_000_000, eraseMsPerSector: 0.03 }, ...(lineBuffers === undefined ? {} : { lineBuffers }) });
      let t0 = -1;
      const result = await drive(r.clock, uploadImage(r.session, bytesSource(S06), { bufSize: 1024, onProgress: (b) => t0 < 0 && b > 0 && (t0 = r.clock.now()) }), 5);
      expect(result.recoveries).toBe(0);
      expect(r.transport.dropped).toEqual([]);
      // One way, host → device: the later requests' framed bytes at 10 bit times per byte.
      const boundMs = (r.sent.slice(1).reduce((n, s) => n + s.wire, 0) * 10_000) / 115_200;
      return boundMs / (r.clock.now() - t0);
    };
    const whole = await ratio(undefined);
    const ahead = await ratio(7);
    // The answer's own line time (~3 ms of every ~122 ms request) is what whole requests lose.
    expect(whole).toBeLessThan(0.98);
    expect(ahead).toBeGreaterThan(0.99);
  });

  it('a 64-byte write unit: the client learns it from the first short write and re-sends only that tail', async () => {
    const r = await realServer({ personality: 'mcuboot-recovery', recoveryWriteAlign: 64, lineBuffers: 7 });
    const result = await drive(r.clock, uploadImage(r.session, bytesSource(S06), { bufSize: 1024 }), 10);
    expect(result.alignment).toBe(64);
    expect(result.resumedFrom).toBe(0);
    expect(Buffer.compare(r.device.flash.image(0)?.bytes ?? new Uint8Array(0), S06)).toBe(0);
    expect(bytesSent(r.sent) - S06.length).toBeGreaterThan(0);
    expect(bytesSent(r.sent) - S06.length).toBeLessThan(64);
  });

  it('one lost line at 50 %: resynchronises from the device offset, never sends off 0 again, costs ≤ 1.3× the clean run', async () => {
    const clean = await realServer({ personality: 'mcuboot-recovery', lineBuffers: 7 });
    const t0 = clean.clock.now();
    await drive(clean.clock, uploadImage(clean.session, bytesSource(S06), { bufSize: 1024 }), 10);
    const cleanMs = clean.clock.now() - t0;
    const cleanLines = clean.lineCount();

    const lossy = await realServer({ personality: 'mcuboot-recovery', lineBuffers: 7, dropLines: new Set([Math.floor(cleanLines / 2)]) });
    const t1 = lossy.clock.now();
    const result = await drive(lossy.clock, uploadImage(lossy.session, bytesSource(S06), { bufSize: 1024 }), 10);
    const lossyMs = lossy.clock.now() - t1;
    expect(result.recoveries).toBe(1);
    expect(Buffer.compare(lossy.device.flash.image(0)?.bytes ?? new Uint8Array(0), S06)).toBe(0);
    expect(lossy.sent.filter((s) => s.off === 0)).toHaveLength(1);
    // The chunk whose line was lost is never answered; the one sent ahead behind it is answered with
    // the device's offset (the lost chunk's) and the client goes on from there: those two go again, once each.
    const offs = lossy.sent.map((s) => s.off);
    const again = offs.filter((o, i) => offs.indexOf(o) !== i);
    expect(again).toHaveLength(2);
    const lostAt = offs.indexOf(again[0] as number);
    expect(offs.slice(lostAt, lostAt + 4)).toEqual([again[0], again[1], again[0], again[1]]);
    expect(bytesSent(lossy.sent) / bytesSent(clean.sent)).toBeLessThanOrEqual(1.3);
    // Fake-clock time, the device's timing model at 115200 baud: the lost chunk costs one learned timeout.
    expect(lossyMs / cleanMs).toBeLessThanOrEqual(1.3);
  });

  it('an answer lost at 50 %: the chunk sent ahead is answered with the device offset past it, and nothing is sent again', async () => {
    const r = await realServer({ personality: 'mcuboot-recovery', lineBuffers: 7, dropAnswerLines: new Set([70]) });
    const result = await drive(r.clock, uploadImage(r.session, bytesSource(S06), { bufSize: 1024 }), 10);
    expect(result.recoveries).toBe(1);
    expect(Buffer.compare(r.device.flash.image(0)?.bytes ?? new Uint8Array(0), S06)).toBe(0);
    // The device wrote the chunk whose answer was lost: the next answer shows it, so no byte goes twice.
    expect(bytesSent(r.sent)).toBe(S06.length);
    for (let i = 1; i < r.sent.length; i++) expect(r.sent[i]?.off).toBe((r.sent[i - 1]?.off as number) + (r.sent[i - 1]?.bytes as number));
  });

  it('after the device restarts mid-upload it answers off 0; only then does the client start over with the first chunk', async () => {
    const r = await realServer({ personality: 'mcuboot-recovery', recoveryOnReset: 'stay', lineBuffers: 7 });
    let cut = false;
    const result = drive(
      r.clock,
      uploadImage(r.session, bytesSource(S06), {
        bufSize: 1024,
        onProgress: (b) => {
          if (!cut && b >= S06.length / 2) {
            cut = true;
            r.device.powerLoss(200);
          }
        },
      }),
      10,
    );
    const done = await result;
    expect(done.recoveries).toBeGreaterThanOrEqual(1);
    expect(Buffer.compare(r.device.flash.image(0)?.bytes ?? new Uint8Array(0), S06)).toBe(0);
    const firsts = r.sent.map((s, i) => (s.first ? i : -1)).filter((i) => i >= 0);
    expect(firsts).toHaveLength(2);
    // Before the second first-chunk: a later chunk at the confirmed offset, which the device answered with off 0.
    const before = r.sent[(firsts[1] as number) - 1] as SentUpload;
    expect(before.off).toBeGreaterThanOrEqual(S06.length / 2 - 1024);
    expect(before.first).toBe(false);
  });
});

describe('chunk sizing without params', () => {
  it('mcuboot-recovery default build: params rc 8, a 1020-byte probe is answered, so 1024-byte buffers are used', async () => {
    const r = await realServer({ personality: 'mcuboot-recovery' });
    const params = await drive(r.clock, negotiateParams(r.session), 10);
    expect(params).toMatchObject({ bufSize: 1024, bufCount: 1, fromDevice: false });
    expect(r.session.window).toBe(1);
    // Recognised as serial recovery: 8 line buffers, one held by its reader, so 7 lines may go ahead.
    expect(params.lineBuffers).toBe(7);
    expect(r.session.lineBuffers).toBe(7);
  });

  it('a serial device that refuses params and is silent to the 1020-byte probe gets the 384-byte default', async () => {
    const clock = new FakeClock();
    const [host, dev] = createLoopbackPair({ framing: 'serial' });
    await host.open();
    await dev.open();
    const device = new ScriptedDevice(dev, (r) => (r.header.id === 6 ? { rc: 8 } : 8 + r.header.length > 380 ? 'silent' : { r: r.body.d }));
    const session = new SmpSession(host, { clock });
    const done = negotiateParams(session);
    await clock.advance(1500);
    // An unknown serial server is taken to hold Zephyr's two UART lines.
    expect(await done).toEqual({ bufSize: 384, bufCount: 1, fromDevice: false, lineBuffers: 2 });
    expect(session.lineBuffers).toBe(2);
    // The probe was one echo packet of exactly 1020 bytes, sent once.
    expect(device.seen.filter((s) => s.header.id === 0).map((s) => 8 + s.header.length)).toEqual([1020]);
  });
});
