/**
 * SMP serial path figures, as ratios:
 * 1. codec speed: serial frame encode + streaming decode of upload-sized packets, against a plain
 *    byte copy of the same data measured in the same run, and against a 115200-baud line;
 * 2. upload efficiency: image bytes per second through the simulator over serial framing at
 *    115200 baud (simulated time), against the line's raw byte rate (the physical limit).
 * Run: npx tsx test/bench/smp-serial.bench.ts
 */
import { createHash } from 'node:crypto';
import { SimDevice } from '../../main/sim/device';
import { buildSimImage } from '../../main/sim/image-builder';
import { ManualClock } from '../../main/sim/manual-clock';
import { SimTransport } from '../../main/sim/sim-transport';
import { maxChunkData } from '../../main/smp/chunk-budget';
import { decodePacket, encodePacket } from '../../main/smp/packet';
import { encodeSerialFrame, SerialFrameDecoder } from '../../main/smp/serial-framing';

const BAUD = 115200;
const LINE_BYTES_PER_S = BAUD / 10;

function codecFigures(): void {
  const packets = Array.from({ length: 200 }, (_, i) =>
    encodePacket({ op: 2, group: 1, id: 1, seq: i, body: { off: i * 356, data: new Uint8Array(356).fill(i) } }),
  );
  const bytes = packets.reduce((n, p) => n + p.length, 0);
  const rounds = 20;
  let t = performance.now();
  for (let r = 0; r < rounds; r++) {
    const d = new SerialFrameDecoder();
    for (const p of packets) for (const line of encodeSerialFrame(p)) d.push(line, 0);
  }
  const codecS = (performance.now() - t) / 1000;
  t = performance.now();
  let sink = 0;
  for (let r = 0; r < rounds * 10; r++) for (const p of packets) sink += p.slice().length;
  const copyS = (performance.now() - t) / 1000 / 10;
  const codecRate = (bytes * rounds) / codecS;
  console.log(`serial codec (encode + decode): ${(codecRate / 1e6).toFixed(2)} MB/s`);
  console.log(`  ratio to a plain byte copy (same run):       ${(codecRate / ((bytes * rounds) / copyS)).toFixed(4)}`);
  console.log(`  ratio to one ${BAUD}-baud line:            ${(codecRate / LINE_BYTES_PER_S).toFixed(0)}x  (lines one core can serve)`);
  if (sink < 0) console.log(sink);
}

function uploadFigures(bufSize: number): void {
  const clock = new ManualClock();
  const device = new SimDevice({ board: 'b', id: '0011223344556677', clock, bufSize, timing: { baud: BAUD } });
  const link = new SimTransport(device, { framing: 'serial', clock, banner: false });
  const decoder = new SerialFrameDecoder();
  let answer: Record<string, unknown> = {};
  link.onOutput((u) => {
    for (const p of decoder.push(u, clock.now()).packets) {
      const r = decodePacket(p);
      if (r.ok) answer = r.body;
    }
  });
  const image = buildSimImage({ version: '2.0.0+0', board: 'b', bodySize: 64 * 1024 });
  const sha = new Uint8Array(createHash('sha256').update(image).digest());
  let off = 0;
  let seq = 0;
  const start = clock.now();
  while (off < image.length) {
    const n = maxChunkData({ bufSize, transport: 'serial', imageLength: image.length, offset: off });
    const body = off === 0 ? { len: image.length, off, sha, data: image.subarray(0, n) } : { off, data: image.subarray(off, off + n) };
    for (const line of encodeSerialFrame(encodePacket({ op: 2, group: 1, id: 1, seq: seq++ & 0xff, body }))) link.input(line);
    clock.runUntilIdle();
    off = answer.off as number;
  }
  const seconds = (clock.now() - start) / 1000;
  const rate = image.length / seconds;
  console.log(`upload ${image.length} B, buf_size ${bufSize}, one request in flight: ${seconds.toFixed(2)} s simulated, ${(rate / 1000).toFixed(2)} kB/s`);
  console.log(`  ratio to the line's raw byte rate (${LINE_BYTES_PER_S} B/s): ${(rate / LINE_BYTES_PER_S).toFixed(3)}`);
}

codecFigures();
for (const b of [384, 2048]) uploadFigures(b);
