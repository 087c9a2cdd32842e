/**
 * BLE upload throughput through the noble double (the library boundary) backed by the simulator,
 * at ATT MTU 247, with a modelled connection: events every 30 ms, at most 4 ATT packets each way
 * per event. Time is simulated (a fake clock), so the figures are about the protocol and the
 * client's use of the link, not about this machine.
 *
 *   npx tsx test/bench/ble-upload.bench.ts
 *
 * It prints, with and without pipelining, the payload rate of the chunks after the first (the
 * first erases the slot and is timed apart), the bound the connection allows (every write slot of
 * every connection event used: data bytes of the chunks as the client cuts them, over the write
 * slots their packets take, × packets per event × events per second) and their ratio. Flash writes at 1 MB/s so that the link, not the flash, is measured.
 */
import { bytesSource } from '../../main/devices/image-source';
import { negotiateParams } from '../../main/devices/params';
import { SmpSession } from '../../main/devices/session';
import { uploadImage } from '../../main/devices/upload';
import { BleLink } from '../../main/links/ble-link';
import { SimDevice } from '../../main/sim/device';
import { buildSimImage } from '../../main/sim/image-builder';
import { encodePacket, ImageCmd, maxChunkData, SmpGroup, SmpOp } from '../../main/smp';
import { NobleDouble, PeripheralDouble } from '../main/links/doubles/noble-double';
import type { RadioModel } from '../main/links/doubles/radio-schedule';
import { FakeClock } from '../main/links/fake-clock';

const MTU = 247;
const RADIO: RadioModel = { connectionIntervalMs: 30, packetsPerInterval: 4 };
const IMAGE_BYTES = 128 * 1024;
const ADDRESS = 'c0:ff:ee:00:00:be';

/**
 * Data bytes per second the connection carries when every uplink slot is used: the chunks after
 * the first, as the client cuts them (packets split over whole writes, smp.md §7 reassembly), each
 * taking ⌈packet / (MTU − 3)⌉ write slots, `packetsPerInterval` slots per connection event.
 */
function bound(imageLength: number, bufSize: number, firstBytes: number): { perChunk: number; rate: number } {
  let chunks = 0;
  let slots = 0;
  for (let off = firstBytes; off < imageLength; chunks++) {
    const data = maxChunkData({ bufSize, transport: 'ble', maxWrite: MTU - 3, bleReassembly: true, imageLength, offset: off });
    const packet = encodePacket({ op: SmpOp.write, group: SmpGroup.image, id: ImageCmd.upload, seq: 0, body: { off, data: new Uint8Array(data) } });
    slots += Math.ceil(packet.length / (MTU - 3));
    off += data;
  }
  const seconds = (slots / RADIO.packetsPerInterval) * (RADIO.connectionIntervalMs / 1000);
  return { perChunk: (imageLength - firstBytes) / chunks, rate: (imageLength - firstBytes) / seconds };
}

async function run(pipelined: boolean) {
  const clock = new FakeClock();
  const device = new SimDevice({ board: 'bench', id: '00124b00000000be', clock, bufSize: 512, bufCount: 5, slotSize: 0x40000, timing: { writeBytesPerMs: 1000 } });
  const noble = new NobleDouble(clock);
  noble.add(new PeripheralDouble({ address: ADDRESS, device, clock, mtu: MTU, radio: RADIO }));
  const link = new BleLink({ address: ADDRESS, noble, clock });
  await clock.run(link.open());
  const session = new SmpSession(link, { clock, timeoutMs: 10_000 });
  const params = await clock.run(negotiateParams(session));
  if (!pipelined) session.window = 1;
  const image = buildSimImage({ version: '2.0.0+0', board: 'bench', bodySize: IMAGE_BYTES - 0x20 - 48 });
  const start = clock.now();
  let afterFirst = -1;
  let firstBytes = 0;
  const wallStart = performance.now();
  const result = await clock.run(
    uploadImage(session, bytesSource(image), {
      bufSize: params.bufSize,
      clock,
      onProgress: (bytes) => {
        if (afterFirst < 0 && bytes > 0) {
          afterFirst = clock.now();
          firstBytes = bytes;
        }
      },
    }),
    5,
  );
  const end = clock.now();
  const wallMs = performance.now() - wallStart;
  if (result.match !== true) throw new Error('the simulator did not confirm the image');
  session.dispose();
  await link.close();
  device.dispose();
  const rate = (image.length - firstBytes) / ((end - afterFirst) / 1000);
  const b = bound(image.length, params.bufSize, firstBytes);
  return { window: session.window, firstMs: afterFirst - start, totalS: (end - start) / 1000, rate, bound: b.rate, perChunk: b.perChunk, ratio: rate / b.rate, wallMs };
}

const rows = [await run(true), await run(false)];
console.log(`BLE upload, ${IMAGE_BYTES / 1024} KiB image, noble double + simulator, MTU ${MTU}, ${RADIO.connectionIntervalMs} ms interval, ${RADIO.packetsPerInterval} packets/event`);
console.log(`bound: ${rows[0]?.perChunk.toFixed(1)} data bytes per chunk on average (packets split over whole ${MTU - 3}-byte writes), ${RADIO.packetsPerInterval} writes per event × ${(1000 / RADIO.connectionIntervalMs).toFixed(1)} events/s`);
console.log('window  first-chunk  total (sim)  payload B/s  bound B/s  ratio  wall ms');
for (const r of rows) {
  console.log(
    `${String(r.window).padEnd(7)} ${`${r.firstMs.toFixed(0)} ms`.padEnd(12)} ${`${r.totalS.toFixed(2)} s`.padEnd(12)} ${r.rate.toFixed(0).padEnd(12)} ${r.bound.toFixed(0).padEnd(10)} ${r.ratio.toFixed(3).padEnd(6)} ${r.wallMs.toFixed(0)}`,
  );
}
