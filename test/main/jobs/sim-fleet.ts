import { createHash } from 'node:crypto';
import { bytesSource } from '../../../main/devices/image-source';
import type { ReleaseComponent } from '../../../main/jobs/types';
import { systemClock, type Clock } from '../../../main/links/clock';
import type { Link } from '../../../main/links/link';
import { SimDevice, type DeviceFaults } from '../../../main/sim/device';
import { buildSimImage } from '../../../main/sim/image-builder';
import { seededRandom } from '../../../main/sim/rng';
import { createSimLink } from '../../../main/sim/sim-link';
import type { LinkFaults, SimTransport } from '../../../main/sim/sim-transport';
import { inspectSlotImage } from '../../../main/sim/slot-image';
import type { TimingModel } from '../../../main/sim/timing';

/** Fast flash and line, so that a batch of simulated devices takes seconds. */
export const FAST: Partial<TimingModel> = { baud: 1_000_000, processingMs: 0, eraseMsPerSector: 0.2, writeBytesPerMs: 20_000, resetDelayMs: 10, bootMs: 40, swapMsPerSector: 0.2 };

export const BOARD = 'sf-board';

/** A simulator image and the release component describing it; `open` serves the one shared copy. */
export function simRelease(opts: { size?: number; version?: string; board?: string; corrupt?: boolean } = {}) {
  const bytes = buildSimImage({ version: opts.version ?? '1.1.0+0', board: opts.board ?? BOARD, bodySize: opts.size ?? 48_000 });
  const info = inspectSlotImage(bytes);
  if (!info) throw new Error('the sim image does not parse');
  // A flipped body byte: the hash TLV no longer matches, so MCUboot refuses the image at boot.
  if (opts.corrupt) bytes[0x40] = (bytes[0x40] as number) ^ 0xff;
  const component: ReleaseComponent = {
    board: opts.board ?? BOARD,
    version: opts.version ?? '1.1.0+0',
    path: `/sim/${opts.corrupt ? 'corrupt' : 'image'}.bin`,
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    imageHash: Buffer.from(info.hash).toString('hex'),
  };
  return { bytes, component, hash: info.hash, open: async () => bytesSource(bytes) };
}

/** One simulated device on an in-process link. */
export interface SimMember {
  name: string;
  device: SimDevice;
  link: Link & { readonly transport: SimTransport };
}

/** A simulated device on an in-process serial-framed link. */
export function simMember(n: number, opts: { board?: string; faults?: LinkFaults; deviceFaults?: DeviceFaults; clock?: Clock; baud?: number } = {}): SimMember {
  const clock = opts.clock ?? systemClock;
  const device = new SimDevice({
    board: opts.board ?? BOARD,
    id: `5f1a5400${n.toString(16).padStart(8, '0')}`,
    version: '1.0.0+0',
    clock,
    timing: { ...FAST, ...(opts.baud ? { baud: opts.baud } : {}) },
    random: seededRandom(100 + n),
    ...(opts.deviceFaults ? { faults: opts.deviceFaults } : {}),
  });
  const link = createSimLink(device, { framing: 'serial', clock, random: seededRandom(200 + n), name: `dev${n}`, ...(opts.faults ? { faults: opts.faults } : {}) });
  return { name: `dev${n}`, device, link };
}
