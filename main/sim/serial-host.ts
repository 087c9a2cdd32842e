import { SerialPort } from 'serialport';
import type { SimTransport } from './sim-transport';

/** A simulated device attached to a real serial port (normally the device end of a pty pair). */
export interface SerialAttachment {
  /** Detaches and closes the port. */
  close(): Promise<void>;
}

/**
 * Opens `path` with serialport and connects it to a serial-framed {@link SimTransport}: bytes the
 * client writes reach the device, its frames and console lines go back out.
 */
export async function attachSerialPort(transport: SimTransport, path: string, baudRate: number): Promise<SerialAttachment> {
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  port.on('data', (chunk: Buffer) => transport.input(new Uint8Array(chunk)));
  // A pty whose client side is not open yet reports errors on write; the device just talks into the void.
  port.on('error', () => undefined);
  const stop = transport.onOutput((unit) => {
    if (port.isOpen) port.write(Buffer.from(unit));
  });
  return {
    close: async () => {
      stop();
      port.removeAllListeners('data');
      if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    },
  };
}
