/**
 * Upload throughput over a real pseudo-terminal against the simulator, whose transport throttles
 * both directions to the baud rate (10 bit times per byte, 8N1).
 *
 *   npx tsx test/bench/serial-upload.bench.ts
 *
 * For 115200 and 1,000,000 baud, with the window from the device's mcumgr params and with a window
 * of 1, it prints the payload rate, the framing bound (the payload rate if the host→device line
 * never idled: every request's header, CBOR, length, CRC, base64 and line markers counted; answers
 * travel the other way at the same time and are shorter) and their ratio. The first chunk (which
 * erases the slot) is timed apart; the rate and the bound cover the chunks after it.
 * The simulated flash writes at 1 MB/s so that the figures are about the link, not the flash.
 */
import { systemClock } from '../../main/links/clock';
import { SerialLink } from '../../main/links/serial-link';
import { bytesSource } from '../../main/devices/image-source';
import { negotiateParams } from '../../main/devices/params';
import { SmpSession } from '../../main/devices/session';
import { uploadImage } from '../../main/devices/upload';
import { SimDevice } from '../../main/sim/device';
import { buildSimImage } from '../../main/sim/image-builder';
import { encodePacket, framingFor, ImageCmd, maxChunkData, SmpGroup, SmpOp } from '../../main/smp';
import { SimOnPty } from '../main/devices/sim-on-pty';

const IMAGE_BYTES = 256 * 1024;

/** Bytes on the wire, host → device, for every chunk after the first, and the payload they carry. */
function wirePlan(total: number, bufSize: number): { firstLen: number; payload: number; wire: number } {
  const framing = framingFor('serial');
  const firstLen = maxChunkData({ bufSize, transport: 'serial', imageLength: total, offset: 0 });
  let wire = 0;
  for (let off = firstLen; off < total; ) {
    const n = maxChunkData({ bufSize, transport: 'serial', imageLength: total, offset: off });
    const packet = encodePacket({ op: SmpOp.write, group: SmpGroup.image, id: ImageCmd.upload, seq: 0, body: { off, data: new Uint8Array(n) } });
    wire += framing.encode(packet).reduce((sum, line) => sum + line.length, 0);
    off += n;
  }
  return { firstLen, payload: total - firstLen, wire };
}

async function run(baud: number, window: 'params' | 1) {
  const device = new SimDevice({ board: 'bench', id: '00124b00000000be', clock: systemClock, slotSize: 0x80000, timing: { baud, writeBytesPerMs: 1000 } });
  const sim = await SimOnPty.start(device);
  const link = new SerialLink({ path: sim.hostPath, baudRate: baud });
  await link.open();
  const session = new SmpSession(link, { timeoutMs: 10_000 });
  try {
    const params = await negotiateParams(session);
    if (window === 1) session.window = 1;
    const image = buildSimImage({ version: '2.0.0+0', board: 'bench', bodySize: IMAGE_BYTES - 0x20 - 48 });
    const plan = wirePlan(image.length, params.bufSize);
    const start = performance.now();
    let afterFirst = 0;
    const result = await uploadImage(session, bytesSource(image), {
      bufSize: params.bufSize,
      onProgress: (bytes) => {
        if (afterFirst === 0 && bytes > 0) afterFirst = performance.now();
      },
    });
    const end = performance.now();
    if (result.match !== true) throw new Error('the simulator did not confirm the image');
    const rate = plan.payload / ((end - afterFirst) / 1000);
    const bound = plan.payload / ((plan.wire * 10) / baud);
    return { baud, window: session.window, bufSize: params.bufSize, image: image.length, firstMs: afterFirst - start, totalS: (end - start) / 1000, rate, bound, ratio: rate / bound };
  } finally {
    session.dispose();
    await link.close();
    await sim.stop();
  }
}

const rows = [];
for (const baud of [115_200, 1_000_000]) {
  for (const window of ['params', 1] as const) rows.push(await run(baud, window));
}
console.log('serial upload, 256 KiB image through the simulator over a pty');
console.log('baud      window  buf   first-chunk  total    payload B/s  framing bound B/s  ratio');
for (const r of rows) {
  console.log(
    `${String(r.baud).padEnd(9)} ${String(r.window).padEnd(7)} ${String(r.bufSize).padEnd(5)} ${`${r.firstMs.toFixed(0)} ms`.padEnd(12)} ${`${r.totalS.toFixed(1)} s`.padEnd(8)} ${r.rate.toFixed(0).padEnd(12)} ${r.bound.toFixed(0).padEnd(18)} ${r.ratio.toFixed(3)}`,
  );
}
