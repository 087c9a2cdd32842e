import { join } from 'node:path';
import { systemClock, type Clock } from '../links/clock';
import { SimDevice, type SimDeviceOptions } from './device';
import { openPtyPair, type PtyPair } from './pty-pair';
import { seededRandom } from './rng';
import { attachSerialPort, type SerialAttachment } from './serial-host';
import { SimTransport, type LinkFaults } from './sim-transport';

/** What `siteflash sim` runs. */
export interface FleetOptions {
  count: number;
  board: string;
  version: string;
  baud: number;
  /** Folder for the client-side symlinks `sim0`, `sim1`, … */
  dir: string;
  clock?: Clock;
  /** Seed for ids and faults (default 1). */
  seed?: number;
  bufSize?: number;
  faults?: LinkFaults;
  device?: Partial<Omit<SimDeviceOptions, 'clock'>>;
  socat?: string;
}

/** One running simulated device. */
export interface FleetMember {
  device: SimDevice;
  transport: SimTransport;
  clientPath: string;
}

/** A set of simulated devices on ptys. */
export interface Fleet {
  members: FleetMember[];
  /** Stops every device, port and socat process. */
  stop(): Promise<void>;
}

/** The EUI-64 of simulated device `n`: a fixed prefix plus the index, 16 lower-case hex characters. */
export function simDeviceId(n: number): string {
  return `5f1a5400${n.toString(16).padStart(8, '0')}`;
}

/** Starts `count` simulated devices, each on its own socat pty pair, on real time unless a clock is given. */
export async function startFleet(opts: FleetOptions): Promise<Fleet> {
  const clock = opts.clock ?? systemClock;
  const members: FleetMember[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  try {
    for (let n = 0; n < opts.count; n++) {
      const pair: PtyPair = await openPtyPair(join(opts.dir, `sim${n}`), opts.socat ? { socat: opts.socat } : {});
      cleanups.push(() => pair.close());
      const device = new SimDevice({
        board: opts.board,
        id: simDeviceId(n),
        version: opts.version,
        clock,
        random: seededRandom((opts.seed ?? 1) + n),
        ...(opts.bufSize ? { bufSize: opts.bufSize } : {}),
        ...opts.device,
        timing: { baud: opts.baud, ...opts.device?.timing },
      });
      cleanups.push(async () => device.dispose());
      const transport = new SimTransport(device, { framing: 'serial', clock, random: seededRandom(1000 + n), ...(opts.faults ? { faults: opts.faults } : {}) });
      cleanups.push(async () => transport.dispose());
      const port: SerialAttachment = await attachSerialPort(transport, pair.devicePath, opts.baud);
      cleanups.push(() => port.close());
      members.push({ device, transport, clientPath: pair.clientPath });
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { members, stop };
}
