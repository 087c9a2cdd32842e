import { SerialPortMock } from 'serialport';
import type { SerialBinding, SerialPortHandle } from '../../../main/links/serial-binding';

/** An open port of serialport's MockBinding: what a test reads and feeds. */
export interface MockPort extends SerialPortHandle {
  /** Everything written, with `record: true`. */
  recording: Buffer;
  emitData(data: Buffer | string): void;
}

/** serialport's MockBinding, typed (its package's types do not resolve under `moduleResolution: bundler`). */
export interface MockBindingApi extends SerialBinding {
  createPort(path: string, options?: { record?: boolean; echo?: boolean; vendorId?: string; productId?: string }): void;
  reset(): void;
  open(options: { path: string; baudRate: number }): Promise<MockPort>;
}

export const MockBinding = SerialPortMock.binding as MockBindingApi;
