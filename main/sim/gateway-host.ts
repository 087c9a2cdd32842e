import { join } from 'node:path';
import { systemClock, type Clock } from '../links/clock';
import { createSimGateway, type SimGateway, type SimGatewayOptions } from './gateway';
import { openPtyPair } from './pty-pair';
import { attachSerialPort } from './serial-host';
import { SimTransport } from './sim-transport';

/** What `siteflash sim --gateway` runs. */
export interface GatewayHostOptions extends Omit<SimGatewayOptions, 'clock'> {
  baud: number;
  /** Folder for the client-side symlink (`gateway`, or `name`). */
  dir: string;
  /** Name of the client-side symlink (default `gateway`). */
  name?: string;
  clock?: Clock;
  socat?: string;
}

/** A simulated gateway on a pty, with its devices behind the radio. */
export interface GatewayHost {
  sim: SimGateway;
  /** The path a client opens. */
  clientPath: string;
  stop(): Promise<void>;
}

/** Starts a simulated gateway on a socat pty pair (`DIR/gateway` or `DIR/<name>`), on real time unless a clock is given. */
export async function startGatewayHost(o: GatewayHostOptions): Promise<GatewayHost> {
  const clock = o.clock ?? systemClock;
  const sim = createSimGateway({ ...o, clock, timing: { baud: o.baud, ...o.timing } });
  const pair = await openPtyPair(join(o.dir, o.name ?? 'gateway'), o.socat ? { socat: o.socat } : {});
  const transport = new SimTransport(sim.gateway, { framing: 'serial', clock });
  try {
    const port = await attachSerialPort(transport, pair.devicePath, o.baud);
    return {
      sim,
      clientPath: pair.clientPath,
      stop: async () => {
        await port.close().catch(() => undefined);
        transport.dispose();
        sim.dispose();
        await pair.close();
      },
    };
  } catch (err) {
    transport.dispose();
    sim.dispose();
    await pair.close();
    throw err;
  }
}
