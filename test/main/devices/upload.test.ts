import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bytesSource } from '../../../main/devices/image-source';
import { SmpSession } from '../../../main/devices/session';
import { uploadImage } from '../../../main/devices/upload';
import { createLoopbackPair } from '../../../main/links/loopback-link';
import { FakeClock } from '../links/fake-clock';
import { ScriptedDevice, UploadServer, type SeenRequest } from './scripted-device';

function image(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + (i >> 8)) & 0xff;
  return bytes;
}

async function setup(framing: 'raw' | 'serial' = 'serial', window = 1) {
  const clock = new FakeClock();
  const [host, dev] = createLoopbackPair({ framing });
  await host.open();
  await dev.open();
  const session = new SmpSession(host, { clock, window });
  const server = new UploadServer();
  let outstanding = 0;
  let maxOutstanding = 0;
  const held: SeenRequest[] = [];
  const device = new ScriptedDevice(dev, (r) => {
    if (r.header.group !== 1 || r.header.id !== 1) return { rc: 8 };
    held.push(r);
    maxOutstanding = Math.max(maxOutstanding, ++outstanding);
    // Answer after an I/O turn, as a device does, so that the client can fill its window meanwhile.
    setImmediate(() => {
      outstanding--;
      device.answer(r.header, server.handle(r.body));
    });
    return 'silent';
  });
  return { clock, host, dev, session, server, device, held, maxOutstanding: () => maxOutstanding };
}

const uploads = (seen: SeenRequest[]) => seen.filter((r) => r.header.group === 1 && r.header.id === 1);

describe('uploadImage', () => {
  it('sends the whole image with len and sha on the first chunk, each packet within buf_size − 4 on serial', async () => {
    const { session, server, device } = await setup('serial');
    const bytes = image(5000);
    const result = await uploadImage(session, bytesSource(bytes), { bufSize: 384 });
    expect(result).toMatchObject({ total: 5000, match: true, resumedFrom: 0, recoveries: 0 });
    expect(Buffer.compare(server.flash, bytes)).toBe(0);
    const first = uploads(device.seen)[0]?.body;
    expect(first?.len).toBe(5000);
    expect(Buffer.from(first?.sha as Uint8Array).toString('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
    for (const r of uploads(device.seen)) expect(8 + r.header.length).toBeLessThanOrEqual(380);
    // Non-final chunks stay aligned to 4 bytes (smp.md §5.5).
    for (const r of uploads(device.seen).slice(0, -1)) expect((r.body.data as Uint8Array).length % 4).toBe(0);
  });

  it('keeps the session window of chunks in flight, never more', async () => {
    const { session, server, maxOutstanding } = await setup('raw', 3);
    const bytes = image(20_000);
    await uploadImage(session, bytesSource(bytes), { bufSize: 512 });
    expect(Buffer.compare(server.flash, bytes)).toBe(0);
    expect(maxOutstanding()).toBe(3);
  });

  it('restarts the window at the answered offset when a chunk is lost', async () => {
    const { session, server, device } = await setup('raw', 4);
    const bytes = image(12_000);
    server.lose.add(3);
    await uploadImage(session, bytesSource(bytes), { bufSize: 512 });
    expect(Buffer.compare(server.flash, bytes)).toBe(0);
    const offs = uploads(device.seen).map((r) => r.body.off as number);
    // Chunk 3 and the ones already in flight behind it were dropped; the client went back to chunk 3's offset.
    const lostOff = offs[3] as number;
    expect(offs.slice(4, 7).every((o) => o > lostOff)).toBe(true);
    expect(offs[7]).toBe(lostOff);
    expect(offs.filter((o) => o === lostOff)).toHaveLength(2);
  });

  it('resumes from the device offset after a disconnect at 50 %, never from zero', async () => {
    const { session, server, host, dev, device } = await setup('serial', 2);
    const bytes = image(30_000);
    let unplugged = false;
    server.onStored = (expected) => {
      if (!unplugged && expected >= 15_000) {
        unplugged = true;
        dev.unplug();
      }
    };
    const reconnect = async () => {
      await dev.open();
      await host.open();
    };
    let sentBeforeCut = -1;
    let confirmed = 0;
    let confirmedAtCut = 0;
    const reconnectAndMark = async () => {
      sentBeforeCut = uploads(device.seen).length;
      confirmedAtCut = confirmed;
      await reconnect();
    };
    const result = await uploadImage(session, bytesSource(bytes), { bufSize: 512, reconnect: reconnectAndMark, onProgress: (b) => (confirmed = b) });
    expect(Buffer.compare(server.flash, bytes)).toBe(0);
    expect(result.recoveries).toBe(1);
    const offs = uploads(device.seen).map((r) => r.body.off as number);
    // The device kept its session: the client resynchronises with a later chunk, never `off: 0` again
    // (MCUboot's recovery would erase the slot), and the first offset it sends is the one the device
    // last confirmed before the cut.
    expect(offs.filter((o) => o === 0)).toHaveLength(1);
    const after = offs.slice(sentBeforeCut);
    expect(confirmedAtCut).toBeGreaterThan(10_000);
    expect(after[0]).toBe(confirmedAtCut);
    expect(Math.min(...after)).toBe(after[0]);
    // The device's answer moves the client on to the offset it holds (≥ 15 000) within the window.
    expect(after.slice(0, 3).some((o) => o >= 15_000)).toBe(true);
  });

  it('uploads again from zero once when the device reports match: false', async () => {
    const { session, server, device } = await setup('raw', 1);
    server.corruptOnce = true;
    const bytes = image(3000);
    const result = await uploadImage(session, bytesSource(bytes), { bufSize: 512 });
    expect(result.match).toBe(true);
    expect(uploads(device.seen).filter((r) => r.body.off === 0)).toHaveLength(2);
  });

  it('stops with cancelled when aborted', async () => {
    const { session, server } = await setup('raw', 1);
    const ac = new AbortController();
    server.onStored = (e) => e > 2000 && ac.abort();
    await expect(uploadImage(session, bytesSource(image(10_000)), { bufSize: 512, signal: ac.signal })).rejects.toMatchObject({ kind: 'cancelled' });
  });

  it('rejects an answer offset beyond the image as a protocol error', async () => {
    const [host, dev] = createLoopbackPair({ framing: 'raw' });
    await host.open();
    await dev.open();
    new ScriptedDevice(dev, () => ({ off: 99_999 }));
    const session = new SmpSession(host, { clock: new FakeClock() });
    await expect(uploadImage(session, bytesSource(image(1000)), { bufSize: 512 })).rejects.toMatchObject({ kind: 'protocol' });
  });

  it('reports the upload under way before the first answer, then progress up to the total with a rate from the clock', async () => {
    const { session } = await setup('raw', 1);
    let t = 0;
    const ticking = { now: () => (t += 50), schedule: () => () => {} };
    const seen: [number, number, number, number][] = [];
    const at: number[] = [];
    await uploadImage(session, bytesSource(image(4000)), { bufSize: 512, clock: ticking, onProgress: (...p) => (seen.push(p), at.push(t)) });
    const last = seen.at(-1) as [number, number, number, number];
    expect(last[0]).toBe(4000);
    expect(last[1]).toBe(4000);
    expect(last[3]).toBe(0);
    expect(seen.map((p) => p[0])).toEqual(seen.map((p) => p[0]).sort((a, b) => a - b));
    // Under way before the first answer (a first chunk may wait for an erase): nothing held yet, no rate.
    expect(seen[0]).toEqual([0, 4000, 0, Infinity]);
    // The rate is the bytes over the clock time between the device's first answer and the last.
    expect(last[2]).toBeCloseTo(((4000 - (seen[1]?.[0] ?? 0)) * 1000) / ((at.at(-1) as number) - (at[1] as number)), 0);
  });
});
