import { afterEach, describe, expect, it } from 'vitest';
import { bytesSource } from '../../../main/devices/image-source';
import { negotiateParams } from '../../../main/devices/params';
import { SmpSession } from '../../../main/devices/session';
import { uploadImage } from '../../../main/devices/upload';
import { systemClock } from '../../../main/links/clock';
import { SerialLink } from '../../../main/links/serial-link';
import { SimDevice } from '../../../main/sim/device';
import { tapLink, vector, type SentUpload } from './real-servers';
import { SimOnPty } from './sim-on-pty';

const S06 = vector('s06_ed25519_pad_confirm');
const BAUD = 1_000_000;

const sims: SimOnPty[] = [];
const links: SerialLink[] = [];
afterEach(async () => {
  for (const l of links.splice(0)) await l.close();
  for (const s of sims.splice(0)) await s.stop();
});

/** The zephyr personality behind a real pty at 1 Mbaud, its UART holding two lines while busy; the client's link tapped. */
async function zephyrOnPty(dropLines?: Set<number>) {
  const device = new SimDevice({ board: 'sf-dev-1', id: '0011223344556677', clock: systemClock, personality: 'zephyr', timing: { baud: BAUD, processingMs: 2, writeBytesPerMs: 400 } });
  const sim = await SimOnPty.start(device, { baud: BAUD });
  sims.push(sim);
  const serial = new SerialLink({ path: sim.hostPath, baudRate: BAUD });
  links.push(serial);
  const tap = tapLink(serial, { now: () => systemClock.now(), dropLines });
  await tap.link.open();
  const session = new SmpSession(tap.link, { timeoutMs: 10_000 });
  const params = await negotiateParams(session);
  return { device, sim, session, params, ...tap };
}

const contiguous = (sent: SentUpload[]) => sent.every((s, i) => i === 0 || s.off === (sent[i - 1] as SentUpload).off + (sent[i - 1] as SentUpload).bytes);
const bytesSent = (sent: SentUpload[]) => sent.reduce((n, s) => n + s.bytes, 0);

describe('upload to Zephyr smp_svr over a pty (the zephyr personality, smp.md §11.2)', () => {
  it('at 1 Mbaud with a window of 3 no line is lost: requests beyond the first send only what two UART line buffers hold', async () => {
    const z = await zephyrOnPty();
    expect(z.params).toMatchObject({ bufSize: 384, bufCount: 4, lineBuffers: 2 });
    expect(z.session.window).toBe(3);
    const result = await uploadImage(z.session, bytesSource(S06), { bufSize: z.params.bufSize });
    // At most one late answer taken for a loss: the simulator shares this loaded process, and a chunk's
    // timeout follows the answers' round trips (down to 1 s). A lost line would show below.
    expect(result.recoveries).toBeLessThanOrEqual(1);
    expect(Buffer.compare(z.device.flash.image(1)?.bytes ?? new Uint8Array(0), S06)).toBe(0);
    // Nothing thrown away by the device, every request answered, every chunk sent once where the last ended.
    expect(z.sim.transport.dropped).toEqual([]);
    expect(z.device.stats.requests).toBe(z.sent.length + 1);
    expect(z.sent[0]?.off).toBe(0);
    expect(contiguous(z.sent)).toBe(true);
    expect(bytesSent(z.sent)).toBe(S06.length);
  }, 60_000);

  it('one line lost at 50 %: that chunk and those already on their way behind it go again, ≤ 1.3× the bytes of the clean run in the same test', async () => {
    const clean = await zephyrOnPty();
    await uploadImage(clean.session, bytesSource(S06), { bufSize: clean.params.bufSize });
    const lines = clean.lineCount();
    const cleanBytes = bytesSent(clean.sent);
    const cleanRequests = clean.sent.length;

    const lossy = await zephyrOnPty(new Set([Math.floor(lines / 2)]));
    const result = await uploadImage(lossy.session, bytesSource(S06), { bufSize: lossy.params.bufSize });
    // The lost line, and at most one late answer on this loaded machine (see above): a late answer
    // re-sends nothing, which the offsets below check.
    expect(result.recoveries).toBeGreaterThanOrEqual(1);
    expect(result.recoveries).toBeLessThanOrEqual(2);
    expect(Buffer.compare(lossy.device.flash.image(1)?.bytes ?? new Uint8Array(0), S06)).toBe(0);
    // Thrown away by the device: the packet the lost line left incomplete, and the first lines of the
    // one sent ahead behind it, which went again whole after the timeout. No line found the buffers full.
    const dropped = lossy.sim.transport.dropped.map((d) => d.reason);
    expect(dropped.length).toBeGreaterThanOrEqual(1);
    expect(dropped.length).toBeLessThanOrEqual(2);
    expect(dropped).not.toContain('no-line-buffer');
    const offs = lossy.sent.map((s) => s.off);
    expect(offs.filter((o) => o === 0)).toHaveLength(1);
    // Re-sent: the chunk with the lost line, and at most the window's chunks already on their way
    // behind it (answered with the device's offset); then the client goes on from that offset.
    const again = offs.filter((o, i) => offs.indexOf(o) !== i);
    expect(again.length).toBeGreaterThanOrEqual(1);
    expect(again.length).toBeLessThanOrEqual(lossy.session.window + lossy.session.sendAhead);
    const lostAt = offs.indexOf(again[0] as number);
    expect(offs.slice(lostAt + again.length, lostAt + 2 * again.length)).toEqual(again);
    expect(bytesSent(lossy.sent) / cleanBytes).toBeLessThanOrEqual(1.3);
    expect(lossy.sent.length / cleanRequests).toBeLessThanOrEqual(1.3);
  }, 90_000);
});
