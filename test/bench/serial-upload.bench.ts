/**
 * Upload throughput over a real pseudo-terminal against the simulator, whose transport throttles
 * both directions to the baud rate (10 bit times per byte, 8N1).
 *
 *   npx tsx test/bench/serial-upload.bench.ts
 *
 * For 115200 and 1,000,000 baud, with the window from the device's mcumgr params (and the serial
 * send-ahead budget negotiateParams sets) and with a window of 1, it prints the payload rate, the
 * framing bound and their ratio. The bound is computed here from first principles, not from the
 * client's chunk choice: every later request a full packet of the device's buffer (buf_size as
 * the simulator is configured and reports it, 2-byte length and CRC counted in it, smp.md §5.4),
 * its header and CBOR around the data counted exactly, base64 lines of at most 124 characters with
 * a 2-byte marker and a newline (smp.md §6.1), at baud/10 bytes per second one way. The first chunk
 * (which erases the slot) is timed apart: the rate and the bound cover the bytes after its answer.
 * The simulated flash writes at 1 MB/s so that the figures are about the link, not the flash;
 * they describe the simulator only.
 */
import { systemClock } from '../../main/links/clock';
import { SerialLink } from '../../main/links/serial-link';
import { bytesSource } from '../../main/devices/image-source';
import { negotiateParams } from '../../main/devices/params';
import { SmpSession } from '../../main/devices/session';
import { uploadImage } from '../../main/devices/upload';
import { SimDevice } from '../../main/sim/device';
import { buildSimImage } from '../../main/sim/image-builder';
import { SimOnPty } from '../main/devices/sim-on-pty';

const IMAGE_BYTES = 256 * 1024;
const BUF_SIZE = 384;
const BUF_COUNT = 4;

/** Bytes of a CBOR head (major type + argument) for the value n (RFC 8949 §3). */
const cborHead = (n: number) => (n < 24 ? 1 : n < 256 ? 2 : n < 65536 ? 3 : 5);

/**
 * Most data bytes one later upload request `{"off": off, "data": …}` carries in a `bufSize` buffer:
 * serial length 2 + CRC 2, header 8, map head 1, "off" 4 + its value, "data" 5 + the byte-string head.
 */
function fullestData(bufSize: number, off: number): number {
  const room = bufSize - 4 - 8 - 1 - 4 - cborHead(off) - 5;
  let data = room - 1;
  while (data + cborHead(data) > room) data--;
  return data;
}

/** Bytes on the wire of a serial frame of `framed` bytes (length + packet + CRC). */
function serialWire(framed: number): number {
  const chars = 4 * Math.ceil(framed / 3);
  return chars + 3 * Math.ceil(chars / 124);
}

/** Host → device bytes on the wire for the image bytes [from, total), every request a full buffer. */
function boundWire(from: number, total: number, bufSize: number): number {
  let wire = 0;
  for (let off = from; off < total; ) {
    const n = Math.min(fullestData(bufSize, off), total - off);
    const framed = 4 + 8 + 1 + 4 + cborHead(off) + 5 + cborHead(n) + n;
    wire += serialWire(framed);
    off += n;
  }
  return wire;
}

async function run(baud: number, window: 'params' | 1) {
  const device = new SimDevice({ board: 'bench', id: '00124b00000000be', clock: systemClock, slotSize: 0x80000, bufSize: BUF_SIZE, bufCount: BUF_COUNT, timing: { baud, writeBytesPerMs: 1000 } });
  const sim = await SimOnPty.start(device);
  const link = new SerialLink({ path: sim.hostPath, baudRate: baud });
  await link.open();
  const session = new SmpSession(link, { timeoutMs: 10_000 });
  try {
    const params = await negotiateParams(session);
    if (window === 1) {
      session.window = 1;
      session.lineBuffers = undefined;
    }
    const image = buildSimImage({ version: '2.0.0+0', board: 'bench', bodySize: IMAGE_BYTES - 0x20 - 48 });
    const start = performance.now();
    let afterFirst = 0;
    let firstBytes = 0;
    const result = await uploadImage(session, bytesSource(image), {
      bufSize: params.bufSize,
      onProgress: (bytes) => {
        if (afterFirst === 0 && bytes > 0) {
          afterFirst = performance.now();
          firstBytes = bytes;
        }
      },
    });
    const end = performance.now();
    if (result.match !== true) throw new Error('the simulator did not confirm the image');
    const payload = image.length - firstBytes;
    const rate = payload / ((end - afterFirst) / 1000);
    // The device's buffer as the simulator reports it, not the client's reading of it.
    const bound = payload / ((boundWire(firstBytes, image.length, device.bufSize) * 10) / baud);
    return {
      baud,
      window: `${session.window}${session.lineBuffers === undefined ? '' : `+${session.lineBuffers}l`}`,
      bufSize: device.bufSize,
      firstMs: afterFirst - start,
      totalS: (end - start) / 1000,
      rate,
      bound,
      ratio: rate / bound,
      recoveries: result.recoveries,
      dropped: sim.transport.dropped.length,
    };
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
console.log(`serial upload, 256 KiB image through the simulator (${BUF_SIZE} × ${BUF_COUNT} buffers) over a pty; simulator figures only`);
console.log('window: requests in flight (+N lines sent ahead of the answer); bound: full device buffers, framing, baud/10, one way');
console.log('baud      window  buf   first-chunk  total    payload B/s  framing bound B/s  ratio  recoveries  dropped');
for (const r of rows) {
  console.log(
    `${String(r.baud).padEnd(9)} ${r.window.padEnd(7)} ${String(r.bufSize).padEnd(5)} ${`${r.firstMs.toFixed(0)} ms`.padEnd(12)} ${`${r.totalS.toFixed(1)} s`.padEnd(8)} ${r.rate.toFixed(0).padEnd(12)} ${r.bound.toFixed(0).padEnd(18)} ${r.ratio.toFixed(3).padEnd(6)} ${String(r.recoveries).padEnd(11)} ${r.dropped}`,
  );
}
