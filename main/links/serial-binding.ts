import { read as fsRead } from 'node:fs';
import { promisify } from 'node:util';
import { autoDetect, BindingsError } from '@serialport/bindings-cpp';

const readAsync = promisify(fsRead);

/** A port as serialport's `list()` describes it. */
export interface SerialPortListing {
  path: string;
  manufacturer?: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
}

/** One open port of a binding: the part of `@serialport/bindings-interface` siteflash relies on. */
export interface SerialPortHandle {
  readonly isOpen: boolean;
  read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }>;
}

/**
 * serialport's binding (real or MockBinding), typed here because the package's own types do not
 * resolve under `moduleResolution: bundler` (its `exports` map has no `types`).
 */
export interface SerialBinding {
  list(): Promise<SerialPortListing[]>;
  open(options: { path: string; baudRate: number }): Promise<SerialPortHandle>;
}

/** The parts of bindings-cpp's Linux/macOS port that a read needs. */
interface UnixPort extends SerialPortHandle {
  fd: number | null;
  poller: { once(event: 'readable', callback: (err: Error | null) => void): unknown };
}

/**
 * The platform's serialport binding, changed in one way: on Linux and macOS a read that returns
 * 0 bytes fails as a disconnect.
 *
 * Why: when a USB CDC-ACM device is unplugged, or the far end of a pseudo-terminal closes, the tty
 * is hung up and every read returns 0 bytes at once. bindings-cpp retries such reads forever (a busy
 * loop at 100 % CPU) and never reports the disconnect. A raw tty opened with VMIN=1 reads 0 only
 * after a hang-up, so treating it as one is safe.
 */
export function hangupAwareBinding(inner: SerialBinding = autoDetect() as SerialBinding, platform: NodeJS.Platform = process.platform): SerialBinding {
  if (platform === 'win32') return inner;
  return {
    list: () => inner.list(),
    async open(options) {
      const port = await inner.open(options);
      if (isUnixPort(port)) port.read = (buffer, offset, length) => readOrHangup(port, buffer, offset, length);
      return port;
    },
  };
}

function isUnixPort(port: SerialPortHandle): port is UnixPort {
  return 'fd' in port && 'poller' in port;
}

async function readOrHangup(port: UnixPort, buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
  for (;;) {
    if (port.fd === null) throw new BindingsError('Port is not open', { canceled: true });
    let bytesRead: number;
    try {
      ({ bytesRead } = await readAsync(port.fd, buffer, offset, length, null));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK' && code !== 'EINTR') throw err;
      await new Promise<void>((resolve, reject) => port.poller.once('readable', (e) => (e ? reject(e) : resolve())));
      continue;
    }
    if (bytesRead > 0) return { buffer, bytesRead };
    throw new BindingsError('The port hung up: the device was unplugged or reset.');
  }
}
