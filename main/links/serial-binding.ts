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

/** The parts of bindings-cpp's Linux/macOS port that a read, a write and a close need. */
interface UnixPort extends SerialPortHandle {
  fd: number | null;
  poller: UnixPoller;
  close(): Promise<void>;
}

/** bindings-cpp's poller: one libuv poll handle per port, shared by reads and writes. */
interface UnixPoller {
  once(event: 'readable', callback: (err: Error | null) => void): unknown;
  removeListener(event: 'readable', callback: (err: Error | null) => void): unknown;
  listenerCount(event: PollEvent): number;
  poll(flags?: number): void;
}

type PollEvent = 'readable' | 'writable' | 'disconnect';
/** libuv's poll flags, as bindings-cpp's poller names them (`EVENTS`). */
const POLL_FLAGS: Record<PollEvent, number> = { readable: 0b0001, writable: 0b0010, disconnect: 0b0100 };

/** What a port's reads and its close share. */
interface ReadState {
  /** Set when close starts: no read may start or wait on the poller after it. */
  closing: boolean;
  /** The `fs.read` running in Node's thread pool, if any: close waits for it before the fd goes. */
  reading: Promise<unknown> | undefined;
  /** Ends a read waiting on the poller (as cancelled), if one is. */
  cancelWait: (() => void) | undefined;
}

/**
 * The platform's serialport binding, changed in three ways on Linux and macOS:
 *
 * - A read that returns 0 bytes fails as a disconnect. When a USB CDC-ACM device is unplugged, or
 *   the far end of a pseudo-terminal closes, the tty is hung up and every read returns 0 bytes at
 *   once. bindings-cpp retries such reads forever (a busy loop at 100 % CPU) and never reports the
 *   disconnect. A raw tty opened with VMIN=1 reads 0 only after a hang-up, so treating it as one is
 *   safe.
 * - Close and a pending read are ordered. bindings-cpp's close stops and destroys the port's poller
 *   and closes the fd while an `fs.read` may still be running in the thread pool; when that read
 *   then sees EAGAIN it waits on the destroyed poller, which crashes the process (SIGSEGV, seen after
 *   nearly every CLI command). Here close first marks the port closing, cancels a read waiting on
 *   the poller, and waits for a running `fs.read` to return (the fd is non-blocking, so at once);
 *   a read that finds the port closing ends as cancelled and never touches the poller again.
 * - A write that waits for room is not forgotten when a read starts waiting. bindings-cpp's poller
 *   hands libuv only the event asked for last (`uv_poll_start` replaces the mask), so a read that
 *   waits for data while a write waits for room (a request larger than the tty's buffer, EAGAIN)
 *   takes the write's wait away: if the device answers only once it has the whole request, both
 *   wait forever (seen as a gateway's own upload stuck in "transferring" with nothing on the wire).
 *   Here every poll asks for all the events someone still waits for.
 */
export function hangupAwareBinding(inner: SerialBinding = autoDetect() as SerialBinding, platform: NodeJS.Platform = process.platform): SerialBinding {
  if (platform === 'win32') return inner;
  return {
    list: () => inner.list(),
    async open(options) {
      const port = await inner.open(options);
      if (isUnixPort(port)) {
        keepAwaitedEvents(port.poller);
        guardReads(port);
      }
      return port;
    },
  };
}

function isUnixPort(port: SerialPortHandle): port is UnixPort {
  return 'fd' in port && 'poller' in port && typeof (port as { close?: unknown }).close === 'function';
}

function keepAwaitedEvents(poller: UnixPoller): void {
  const poll = poller.poll.bind(poller);
  poller.poll = (flags = 0) => {
    let all = flags;
    for (const [event, flag] of Object.entries(POLL_FLAGS) as [PollEvent, number][]) if (poller.listenerCount(event) > 0) all |= flag;
    poll(all);
  };
}

function guardReads(port: UnixPort): void {
  const state: ReadState = { closing: false, reading: undefined, cancelWait: undefined };
  const innerClose = port.close.bind(port);
  port.read = (buffer, offset, length) => readOrHangup(port, state, buffer, offset, length);
  port.close = async () => {
    state.closing = true;
    state.cancelWait?.();
    await state.reading?.catch(() => undefined);
    await innerClose();
  };
}

const cancelled = () => new BindingsError('Port is not open', { canceled: true });

async function readOrHangup(port: UnixPort, state: ReadState, buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
  for (;;) {
    if (state.closing || port.fd === null) throw cancelled();
    let bytesRead: number;
    const attempt = readAsync(port.fd, buffer, offset, length, null);
    state.reading = attempt;
    try {
      ({ bytesRead } = await attempt);
    } catch (err) {
      // EBADF and the like after close started are the close, not a fault of the device.
      if (state.closing) throw cancelled();
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK' && code !== 'EINTR') throw err;
      await waitReadable(port, state);
      continue;
    } finally {
      if (state.reading === attempt) state.reading = undefined;
    }
    if (bytesRead > 0) return { buffer, bytesRead };
    if (state.closing) throw cancelled();
    throw new BindingsError('The port hung up: the device was unplugged or reset.');
  }
}

/** Waits until the fd is readable; rejects as cancelled when close starts first. */
function waitReadable(port: UnixPort, state: ReadState): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onReadable = (err: Error | null) => {
      state.cancelWait = undefined;
      if (err) reject(err);
      else resolve();
    };
    state.cancelWait = () => {
      state.cancelWait = undefined;
      port.poller.removeListener('readable', onReadable);
      reject(cancelled());
    };
    port.poller.once('readable', onReadable);
  });
}
