/**
 * BLE upload throughput through the noble double (the library boundary) backed by the simulator,
 * at ATT MTU 247, with a modelled connection: events every 30 ms, at most 4 ATT packets each way
 * per event. Time is simulated (a fake clock), so the figures are about the protocol and the
 * client's use of the link, not about this machine.
 *
 *   npx tsx test/bench/ble-upload.bench.ts
 *
 * It prints, with and without pipelining, the payload rate of the chunks after the first (the
 * first erases the slot and is timed apart), the bound the modelled connection allows (every write
 * slot of every connection event used, with the best data bytes per write a packet within the
 * device's buffer size can carry: see `bound`) and their ratio. Flash writes at 1 MB/s so that the
 * link, not the flash, is measured.
 */
import { bytesSource } from '../../main/devices/image-source';
import { negotiateParams } from '../../main/devices/params';
import { SmpSession } from '../../main/devices/session';
import { uploadImage } from '../../main/devices/upload';
import { BleLink } from '../../main/links/ble-link';
import { SimDevice } from '../../main/sim/device';
import { buildSimImage } from '../../main/sim/image-builder';
import { NobleDouble, PeripheralDouble } from '../main/links/doubles/noble-double';
import type { RadioModel } from '../main/links/doubles/radio-schedule';
import { FakeClock } from '../main/links/fake-clock';

const MTU = 247;
const RADIO: RadioModel = { connectionIntervalMs: 30, packetsPerInterval: 4 };
const IMAGE_BYTES = 128 * 1024;
const ADDRESS = 'c0:ff:ee:00:00:be';

/** Bytes an upload request after the first carries besides its data (smp.md §5.4): header 8, map head 1, "off" 4 + a 5-byte offset, "data" 5 + a 3-byte byte-string head. */
const REQUEST_OVERHEAD = 26;

/**
 * Data bytes per second the connection carries when every uplink write slot of every connection
 * event is used, from first principles and not from the client's chunk choice: an SMP packet of p
 * bytes (at most the device's buf_size) takes ⌈p / (MTU − 3)⌉ writes (smp.md §7 reassembly) and
 * carries p − 26 data bytes; the best p for the device's buffer is the largest that fills its last
 * write; `packetsPerInterval` writes per connection event.
 */
function bound(bufSize: number): { perPacket: number; writes: number; rate: number } {
  const slot = MTU - 3;
  let best = { perPacket: 0, writes: 1, rate: 0 };
  for (let writes = 1; (writes - 1) * slot < bufSize; writes++) {
    const p = Math.min(bufSize, writes * slot);
    const perPacket = p - REQUEST_OVERHEAD;
    const rate = (perPacket / writes) * RADIO.packetsPerInterval * (1000 / RADIO.connectionIntervalMs);
    if (rate > best.rate) best = { perPacket, writes, rate };
  }
  return best;
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
  const b = bound(params.bufSize);
  return { window: session.window, firstMs: afterFirst - start, totalS: (end - start) / 1000, rate, bound: b.rate, perPacket: b.perPacket, writes: b.writes, bufSize: params.bufSize, ratio: rate / b.rate, wallMs };
}

const rows = [await run(true), await run(false)];
console.log(`BLE upload, ${IMAGE_BYTES / 1024} KiB image, noble double + simulator, MTU ${MTU}, ${RADIO.connectionIntervalMs} ms interval, ${RADIO.packetsPerInterval} packets/event`);
console.log(`bound: device buf_size ${rows[0]?.bufSize}: at best ${rows[0]?.perPacket} data bytes per ${rows[0]?.writes} write(s) of ${MTU - 3} bytes, ${RADIO.packetsPerInterval} writes per event × ${(1000 / RADIO.connectionIntervalMs).toFixed(1)} events/s (the modelled connection, not the client's chunking)`);
console.log('window  first-chunk  total (sim)  payload B/s  bound B/s  ratio  wall ms');
for (const r of rows) {
  console.log(
    `${String(r.window).padEnd(7)} ${`${r.firstMs.toFixed(0)} ms`.padEnd(12)} ${`${r.totalS.toFixed(2)} s`.padEnd(12)} ${r.rate.toFixed(0).padEnd(12)} ${r.bound.toFixed(0).padEnd(10)} ${r.ratio.toFixed(3).padEnd(6)} ${r.wallMs.toFixed(0)}`,
  );
}
