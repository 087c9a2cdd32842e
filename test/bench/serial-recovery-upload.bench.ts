/**
 * Upload through the mcuboot-recovery personality (MCUboot serial recovery as recorded in
 * ../shared/spec/transcripts/mcuboot-serial-recovery.json, default build: mcumgr params answer
 * rc 8) at 115200 baud over a real pseudo-terminal, the client given no buffer size: it learns
 * 1024-byte buffers from its 1020-byte probe (devices/params.ts), and, recognising serial recovery,
 * sends up to 7 lines of the next request ahead of each answer (8 line buffers, one held by the
 * reader, which the personality models: a line beyond them is lost and counted as dropped).
 *
 *   npx tsx test/bench/serial-recovery-upload.bench.ts
 *
 * The bound is computed here from first principles, not from the client's chunk choice:
 * - the device takes SMP packets of at most 1020 bytes, 1024 framed with length and CRC (smp.md §11.1);
 * - a later upload request carries 26 bytes around its data (smp.md §5.4: header 8, map head 1,
 *   "off" 4 + a 5-byte offset, "data" 5 + a 3-byte byte-string head), so at most 994 data bytes;
 * - the 1024 framed bytes are base64 (4 characters per 3 bytes, padded) cut into lines of at most
 *   124 characters, each with a 2-byte marker and a newline (smp.md §6.1);
 * - a byte takes 10 bit times on the line (8N1): baud/10 bytes per second, one way.
 * Bound = baud/10 × 994 / wire bytes per packet. Answers travel the other way; the device's own
 * time is the recording's (answers in about 0.25 ms, a host build writing a file), so the figure
 * says how close the client keeps the line to full, and describes only the simulator.
 */
import { systemClock } from '../../main/links/clock';
import { SerialLink } from '../../main/links/serial-link';
import { bytesSource } from '../../main/devices/image-source';
import { negotiateParams } from '../../main/devices/params';
import { SmpSession } from '../../main/devices/session';
import { uploadImage } from '../../main/devices/upload';
import { SimDevice } from '../../main/sim/device';
import { readFileSync } from 'node:fs';
import { SimOnPty } from '../main/devices/sim-on-pty';

const BAUD = 115_200;
const FRAMED = 1024;
const DATA_PER_PACKET = 1020 - 26;
const BASE64_CHARS = 4 * Math.ceil(FRAMED / 3);
const LINES = Math.ceil(BASE64_CHARS / 124);
const WIRE_PER_PACKET = BASE64_CHARS + 3 * LINES;
const BOUND = ((BAUD / 10) * DATA_PER_PACKET) / WIRE_PER_PACKET;

const image = new Uint8Array(readFileSync(new URL('../../../shared/vectors/images/s06_ed25519_pad_confirm.bin', import.meta.url)));

async function run() {
  // Timing from the recording: ~0.25 ms per answer, ~2 ms for the off-0 erase of the slot.
  const device = new SimDevice({
    board: 'bench',
    id: '00124b00000000be',
    clock: systemClock,
    personality: 'mcuboot-recovery',
    timing: { baud: BAUD, processingMs: 0.25, writeBytesPerMs: 1_000_000, eraseMsPerSector: 0.03 },
  });
  const sim = await SimOnPty.start(device);
  const link = new SerialLink({ path: sim.hostPath, baudRate: BAUD });
  await link.open();
  const session = new SmpSession(link, { timeoutMs: 10_000 });
  try {
    const params = await negotiateParams(session);
    let afterFirst = 0;
    let firstBytes = 0;
    const start = performance.now();
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
    const held = device.flash.image(0)?.bytes;
    if (!held || Buffer.compare(held, image) !== 0) throw new Error('slot 0 does not hold the image');
    const rate = (image.length - firstBytes) / ((end - afterFirst) / 1000);
    return { params, result, rate, window: session.window, lineBuffers: session.lineBuffers, dropped: sim.transport.dropped.length, totalS: (end - start) / 1000 };
  } finally {
    session.dispose();
    await link.close();
    await sim.stop();
  }
}

const r = await run();
console.log('serial recovery upload (simulator only: the mcuboot-recovery personality, timed as the recording), 128 KiB s06 vector, real pty');
console.log(`client learned: buf_size ${r.params.bufSize} (${r.params.probed ? '1020-byte probe answered' : 'no probe'}), window ${r.window} + ${r.lineBuffers ?? 0} lines sent ahead, write unit ${r.result.alignment}`);
console.log(`bound: ${BAUD}/10 × ${DATA_PER_PACKET}/${WIRE_PER_PACKET} (${LINES} lines per 1024-byte frame) = ${BOUND.toFixed(0)} B/s one way`);
console.log(`payload after the first chunk: ${r.rate.toFixed(0)} B/s = ${(r.rate / BOUND).toFixed(3)} of the bound; total ${r.totalS.toFixed(1)} s, recoveries ${r.result.recoveries}, lines dropped by the device ${r.dropped}`);
