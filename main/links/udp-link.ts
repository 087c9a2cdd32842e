import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { LinkError, type Link, type LinkCloseReason } from './link';
import { Listeners } from './listeners';

/** Zephyr's SMP UDP port (smp.md §8). */
export const SMP_UDP_PORT = 1337;

/** Largest UDP payload over IPv4: one SMP packet per datagram, no serial framing (smp.md §8). */
const MAX_DATAGRAM = 65_507;

/** `udp:HOST[:PORT]` (IPv6 in brackets: `udp:[::1]:1337`) → host and port; null when the text is not one. */
export function parseUdpAddress(text: string): { host: string; port: number } | null {
  const m = /^udp:(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(text.trim());
  if (!m) return null;
  const host = (m[1] ?? m[2])!;
  const port = m[3] === undefined ? SMP_UDP_PORT : Number(m[3]);
  if (port < 1 || port > 65_535) return null;
  return { host, port };
}

/** The link id of a UDP device (`udp:192.0.2.7:1337`, `udp:[::1]:1337`): how it is listed, keyed in jobs and audited. */
export function udpLinkId(host: string, port: number): string {
  return `udp:${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

/** A host name as DNS allows it (RFC 1123 labels), or an IP address. */
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/**
 * What the technician types to add a device on the network: `udp:HOST[:PORT]` (port 1337 by
 * default) or `HOST:PORT`, IPv6 in brackets. Returns the address, or why it is not one.
 */
export function parseDeviceAddress(text: string): { ok: true; host: string; port: number } | { ok: false; message: string } {
  const t = text.trim();
  const example = 'write udp:HOST[:PORT] or HOST:PORT, e.g. udp:192.0.2.7 or 192.0.2.7:1337 (IPv6 in brackets: [fd00::7]:1337)';
  if (!t) return { ok: false, message: `No address given: ${example}.` };
  const bare = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d+)$/.exec(t);
  const parsed = t.startsWith('udp:') ? parseUdpAddress(t) : bare ? { host: (bare[1] ?? bare[2])!, port: Number(bare[3]) } : null;
  if (!parsed) {
    const portless = !t.startsWith('udp:') && !t.includes(':');
    return { ok: false, message: portless ? `"${t}" has no port: ${example}.` : `"${t}" is not a device address: ${example}.` };
  }
  const { host, port } = parsed;
  if (!Number.isInteger(port) || port < 1 || port > 65_535) return { ok: false, message: `Port ${port} is out of range (1–65535) in "${t}".` };
  const ip = isIP(host);
  if (ip === 0 && (/^[\d.]+$/.test(host) || !HOST_NAME.test(host))) return { ok: false, message: `"${host}" is neither an IP address nor a host name.` };
  return { ok: true, host, port };
}

/**
 * SMP over UDP (smp.md §8): each write is one whole SMP packet in one datagram, each datagram
 * received from the device is one packet (`raw` framing). Connected to one address, so only that
 * address's answers arrive.
 */
export class UdpLink implements Link {
  readonly kind = 'udp' as const;
  readonly framing = 'raw' as const;
  readonly maxWrite = MAX_DATAGRAM;
  readonly id: string;
  private socket: Socket | undefined;
  private readonly data = new Listeners<Uint8Array>();
  private readonly closed = new Listeners<LinkCloseReason>();

  constructor(
    readonly host: string,
    readonly port: number = SMP_UDP_PORT,
  ) {
    this.id = udpLinkId(host, port);
  }

  get isOpen(): boolean {
    return this.socket !== undefined;
  }

  async open(signal?: AbortSignal): Promise<void> {
    if (this.socket) return;
    signal?.throwIfAborted();
    const socket = createSocket(isIP(this.host) === 6 ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (err) => reject(new LinkError('not-found', `Cannot reach ${this.id}: ${err.message}`, 'Check the device address and that it is on this network.')));
      socket.connect(this.port, this.host, () => resolve());
    }).catch((err: unknown) => {
      socket.close();
      throw err;
    });
    socket.on('message', (msg) => this.data.emit(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength)));
    // ICMP port unreachable and the like: the device is not listening (any more).
    socket.on('error', (err) => this.drop({ kind: 'error', message: err.message }));
    this.socket = socket;
  }

  async close(): Promise<void> {
    if (!this.socket) return;
    this.drop({ kind: 'closed' });
  }

  write(data: Uint8Array): Promise<void> {
    const socket = this.socket;
    if (!socket) return Promise.reject(new LinkError('not-open', `${this.id} is not open.`));
    if (data.length > MAX_DATAGRAM) return Promise.reject(new LinkError('io', `An SMP packet of ${data.length} bytes does not fit one UDP datagram.`));
    return new Promise((resolve, reject) => socket.send(data, (err) => (err ? reject(new LinkError('io', `Sending to ${this.id} failed: ${err.message}`)) : resolve())));
  }

  onData(listener: (data: Uint8Array) => void): () => void {
    return this.data.add(listener);
  }

  onClose(listener: (reason: LinkCloseReason) => void): () => void {
    return this.closed.add(listener);
  }

  private drop(reason: LinkCloseReason): void {
    const socket = this.socket;
    if (!socket) return;
    this.socket = undefined;
    socket.removeAllListeners('message');
    try {
      socket.close();
    } catch {
      // already closed by the error that brought us here
    }
    this.closed.emit(reason);
  }
}
