import { createSocket, type RemoteInfo } from 'node:dgram';
import { systemClock } from '../links/clock';
import type { SimDevice } from './device';
import { SimTransport } from './sim-transport';

/** A simulated device behind a UDP port (smp.md §8): one SMP packet per datagram, answers to the last sender. */
export interface SimUdpHost {
  /** `udp:127.0.0.1:PORT`, what a client passes as `--port`. */
  readonly address: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** Starts a UDP server on `host` (default 127.0.0.1) and `port` (default: any free one) wrapping `device`. */
export async function startUdpHost(device: SimDevice, options: { host?: string; port?: number } = {}): Promise<SimUdpHost> {
  const host = options.host ?? '127.0.0.1';
  const socket = createSocket('udp4');
  const transport = new SimTransport(device, { clock: systemClock, framing: 'raw', banner: false });
  let peer: RemoteInfo | undefined;
  transport.onOutput((unit) => {
    if (peer) socket.send(unit, peer.port, peer.address);
  });
  socket.on('message', (msg, rinfo) => {
    peer = rinfo;
    transport.input(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength));
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options.port ?? 0, host, () => resolve());
  });
  const port = socket.address().port;
  return {
    address: `udp:${host}:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        transport.dispose();
        socket.close(() => resolve());
      }),
  };
}
