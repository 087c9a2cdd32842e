import type { Clock } from '../links/clock';
import type { LinkFraming } from '../links/link';
import { Listeners } from '../links/listeners';
import { framingFor } from '../smp/framing-for';
import { SMP_HEADER_SIZE } from '../smp/constants';
import { splitPackets } from '../smp/packet';
import type { Dropped, FrameDecoder, Framing } from '../smp/framing';
import { SerialFrameDecoder, SERIAL_MAX_LINE } from '../smp/serial-framing';
import type { SimDevice } from './device';
import { RECOVERY_LINE_BUFS, RECOVERY_MAX_LINE, RECOVERY_PACKET_MAX } from './recovery-server';
import { PacedQueue } from './paced-queue';
import { seededRandom, type Random } from './rng';
import { byteMs } from './timing';

/** Faults on the wire between host and device; rates are per byte, in both directions. */
export interface LinkFaults {
  /** Probability that a byte is lost. */
  dropRate?: number;
  /** Probability that a byte has one bit flipped. */
  corruptRate?: number;
  /** The link breaks once this many bytes have reached the device (counting from 1). */
  disconnectAtByte?: number;
  /** After a break, the link comes back after this long; never when undefined. */
  reconnectMs?: number;
}

/** How a {@link SimTransport} carries packets. */
export interface SimTransportOptions {
  framing: LinkFraming;
  clock: Clock;
  random?: Random;
  /** Line rate for pacing in baud (default: the device's timing for serial, unthrottled for others; 0 = unthrottled). */
  baud?: number;
  /** BLE: ATT MTU − 3 for notifications. */
  maxWrite?: number;
  /**
   * BLE: the device reassembles a request split over several writes, up to buf_size
   * (`CONFIG_MCUMGR_TRANSPORT_BT_REASSEMBLY`, smp.md §7); default true. False: each write is
   * processed on its own, as a whole packet or a truncated one that gets an error answer.
   */
  bleReassembly?: boolean;
  faults?: LinkFaults;
  /** Serial: print Zephyr's boot banner as a console line when the device comes up (default true; off for the recorded personalities, which print none). */
  banner?: boolean;
  /**
   * Serial: UART line buffers that hold received lines while the SMP thread works on a request; a
   * line arriving when all are full is dropped. Default 2 for the `zephyr` personality
   * (`CONFIG_UART_MCUMGR_RX_BUF_COUNT` 2, smp.md §11.2), 7 for `mcuboot-recovery` (8
   * `CONFIG_BOOT_LINE_BUFS`, one still held by the reader: {@link RECOVERY_LINE_BUFS}), unlimited
   * otherwise (flow control).
   */
  lineBuffers?: number;
}

/** Link state changes caused by {@link LinkFaults.disconnectAtByte}. */
export type SimLinkState = 'disconnected' | 'connected';


/** Lines a recorded server's UART holds while it works on a request (see {@link SimTransportOptions.lineBuffers}). */
function defaultLineBuffers(profile: SimDevice['profile']): number {
  if (profile === 'zephyr') return 2;
  if (profile === 'mcuboot-recovery') return RECOVERY_LINE_BUFS - 1;
  return Infinity;
}

const BANNER = new TextEncoder().encode('*** Booting Zephyr OS build v3.7.0 ***\r\n');

/**
 * The device end of a link: takes the host's bytes/units, applies wire faults and the line rate,
 * decodes them with the link's framing (serial: Zephyr's 127-byte lines and buf_size limit),
 * hands packets to the device, and frames its answers back.
 */
export class SimTransport {
  /** What the device-side decoder threw away, and lines lost for want of a UART line buffer. */
  readonly dropped: (Dropped | { reason: 'no-line-buffer'; bytes: number })[] = [];
  readonly stats = { rxBytes: 0, txBytes: 0 };
  private readonly framing: Framing;
  private readonly decoder: FrameDecoder;
  private readonly output = new Listeners<Uint8Array>();
  private readonly linkState = new Listeners<SimLinkState>();
  private readonly random: Random;
  private readonly faults: LinkFaults;
  private readonly byteTime: number;
  private rxFreeAt = 0;
  private txFreeAt = 0;
  /** Host → device and device → host bytes on the line, each released once its last byte is through. */
  private readonly rx: PacedQueue<Uint8Array>;
  private readonly tx: PacedQueue<Uint8Array>;
  private connected = true;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly timers = new Set<() => void>();
  /** Serial lines waiting in the UART's line buffers, and the line being received. */
  private readonly lineQueue: Uint8Array[] = [];
  private lineBytes: number[] = [];
  private readonly lineBuffers: number;

  constructor(
    readonly device: SimDevice,
    private readonly opts: SimTransportOptions,
  ) {
    this.random = opts.random ?? seededRandom(2);
    // A copy: a one-shot disconnect is cleared once it fired.
    this.faults = { ...opts.faults };
    const baud = opts.baud ?? (opts.framing === 'serial' ? device.timing.baud : 0);
    this.byteTime = byteMs({ ...device.timing, baud });
    this.rx = new PacedQueue(opts.clock, (data) => this.deliver(data));
    this.tx = new PacedQueue(opts.clock, (data) => this.emit(data));
    this.framing = framingFor(opts.framing, opts.maxWrite === undefined ? {} : { maxWrite: opts.maxWrite });
    // Zephyr's UART buffer holds one line of MCUMGR_SERIAL_MAX_FRAME bytes; longer lines are discarded.
    // MCUboot's recovery console takes 128-byte lines (smp.md §11).
    const maxLine = device.profile === 'mcuboot-recovery' ? RECOVERY_MAX_LINE : SERIAL_MAX_LINE;
    this.decoder = opts.framing === 'serial' ? new SerialFrameDecoder({ maxLine }) : this.framing.createDecoder();
    this.lineBuffers = opts.framing !== 'serial' ? Infinity : (opts.lineBuffers ?? defaultLineBuffers(device.profile));
    this.unsubscribe.push(device.onResponse((p) => this.send(this.framing.encode(p))));
    if (this.lineBuffers !== Infinity) this.unsubscribe.push(device.onIdle(() => this.drainLines()));
    if (opts.framing === 'serial' && (opts.banner ?? device.profile === 'sim')) {
      this.unsubscribe.push(device.onPower((e) => e === 'up' && this.send([BANNER])));
    }
  }

  /** Host → device: one chunk of the byte stream, or one BLE write / HID report / datagram. */
  input(chunk: Uint8Array): void {
    if (!this.connected) return;
    let data = this.damage(chunk);
    const limit = this.faults.disconnectAtByte;
    if (limit !== undefined && this.stats.rxBytes + data.length >= limit) {
      data = data.subarray(0, Math.max(0, limit - this.stats.rxBytes - 1));
      this.disconnect();
    }
    this.stats.rxBytes += data.length;
    // On a serial line each line is there once its own last byte is: a chunk of several lines is
    // delivered line by line at the line rate, not all at the time of its last byte.
    for (const piece of this.opts.framing === 'serial' ? splitAfterNewlines(data) : [data]) {
      if (this.byteTime === 0) {
        this.deliver(piece);
        continue;
      }
      const at = Math.max(this.opts.clock.now(), this.rxFreeAt) + piece.length * this.byteTime;
      this.rxFreeAt = at;
      this.rx.push(at, piece);
    }
  }

  /** Device → host: subscribes to the units the device sends (byte chunks, notifications, reports). */
  onOutput(listener: (unit: Uint8Array) => void): () => void {
    return this.output.add(listener);
  }

  /** Subscribes to fault-driven link breaks and returns. */
  onLinkState(listener: (state: SimLinkState) => void): () => void {
    return this.linkState.add(listener);
  }

  /** Detaches from the device and stops every timer. */
  dispose(): void {
    for (const u of this.unsubscribe) u();
    for (const cancel of this.timers) cancel();
    this.timers.clear();
    this.rx.clear();
    this.tx.clear();
  }

  private deliver(data: Uint8Array): void {
    if (this.lineBuffers !== Infinity) return this.deliverLines(data);
    this.decode(data);
  }

  /**
   * Zephyr's UART transport: each received line goes to the SMP decoder when the SMP thread is
   * free, waits in one of `lineBuffers` buffers while it is busy, and is lost when all are full.
   */
  private deliverLines(data: Uint8Array): void {
    for (const b of data) {
      this.lineBytes.push(b);
      if (b !== 0x0a) continue;
      const line = Uint8Array.from(this.lineBytes);
      this.lineBytes = [];
      if (!this.device.isBusy && this.lineQueue.length === 0) this.decode(line);
      else if (this.lineQueue.length < this.lineBuffers) this.lineQueue.push(line);
      else this.dropped.push({ reason: 'no-line-buffer', bytes: line.length });
    }
  }

  private drainLines(): void {
    while (!this.device.isBusy && this.lineQueue.length > 0) this.decode(this.lineQueue.shift() as Uint8Array);
  }

  private decode(data: Uint8Array): void {
    const framing = this.opts.framing;
    if (framing === 'raw') return this.deliverDatagram(data);
    // Zephyr without BLE reassembly hands each write to SMP as one buffer (smp.md §7).
    if (framing === 'ble' && this.opts.bleReassembly === false) {
      if (data.length > this.device.bufSize) return void this.dropped.push({ reason: 'too-long', bytes: data.length });
      return this.deliverDatagram(data);
    }
    const out = this.decoder.push(data, this.opts.clock.now());
    this.dropped.push(...out.dropped);
    for (const packet of out.packets) {
      if (packet.length > this.packetLimit()) {
        this.dropped.push({ reason: 'too-long', bytes: packet.length });
        continue;
      }
      this.device.handlePacket(packet);
    }
  }

  /** Largest request packet the device takes whole on this framing. */
  private packetLimit(): number {
    // MCUboot recovery answers packets up to 1020 bytes, 1024 framed (smp.md §11.1).
    if (this.device.personality === 'recovery' && this.opts.framing === 'serial') return RECOVERY_PACKET_MAX;
    // Zephyr decodes a serial frame (length + packet + CRC) into one buf_size buffer.
    if (this.opts.framing === 'serial') return this.device.bufSize - 4;
    // BLE reassembly refuses a packet whose header announces more than one buf_size buffer.
    if (this.opts.framing === 'ble') return this.device.bufSize;
    return Infinity;
  }

  /** Raw/UDP: Zephyr reads the packets of a datagram in order; one shorter than its header still gets an answer (ECORRUPT). */
  private deliverDatagram(data: Uint8Array): void {
    const { packets, leftover } = splitPackets(data);
    for (const packet of packets) this.device.handlePacket(packet);
    if (leftover >= SMP_HEADER_SIZE) this.device.handlePacket(data.subarray(data.length - leftover));
    else if (leftover > 0) this.dropped.push({ reason: 'truncated', bytes: leftover });
  }

  private send(units: Uint8Array[]): void {
    for (const unit of units) {
      const data = this.damage(unit);
      if (this.byteTime === 0) {
        this.emit(data);
        continue;
      }
      const at = Math.max(this.opts.clock.now(), this.txFreeAt) + data.length * this.byteTime;
      this.txFreeAt = at;
      this.tx.push(at, data);
    }
  }

  private emit(data: Uint8Array): void {
    if (!this.connected) return;
    this.stats.txBytes += data.length;
    this.output.emit(data);
  }

  private damage(chunk: Uint8Array): Uint8Array {
    const drop = this.faults.dropRate ?? 0;
    const corrupt = this.faults.corruptRate ?? 0;
    if (drop <= 0 && corrupt <= 0) return chunk;
    const out: number[] = [];
    for (const b of chunk) {
      if (this.random() < drop) continue;
      out.push(this.random() < corrupt ? b ^ (1 << Math.floor(this.random() * 8)) : b);
    }
    return Uint8Array.from(out);
  }

  private disconnect(): void {
    this.connected = false;
    this.faults.disconnectAtByte = undefined;
    this.linkState.emit('disconnected');
    const back = this.faults.reconnectMs;
    if (back !== undefined) {
      this.later(() => {
        this.connected = true;
        this.decoder.reset();
        this.lineQueue.length = 0;
        this.lineBytes = [];
        this.linkState.emit('connected');
      }, back);
    }
  }

  private later(fn: () => void, ms: number): void {
    if (ms <= 0 && this.byteTime === 0) return fn();
    const cancel = this.opts.clock.schedule(() => {
      this.timers.delete(cancel);
      fn();
    }, ms);
    this.timers.add(cancel);
  }
}

/** Cuts a chunk of a serial byte stream after each newline (the last piece may be a line's start). */
function splitAfterNewlines(data: Uint8Array): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] !== 0x0a) continue;
    pieces.push(data.subarray(start, i + 1));
    start = i + 1;
  }
  if (start < data.length) pieces.push(data.subarray(start));
  return pieces;
}
