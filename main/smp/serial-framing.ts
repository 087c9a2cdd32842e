import { crc16Xmodem } from './crc16';
import { DEFAULT_PARTIAL_TIMEOUT_MS, emptyOutput, type DecodeOutput, type DropReason, type FrameDecoder, type Framing } from './framing';
import { SMP_HEADER_SIZE } from './constants';
import { packetSize } from './packet';

/** First line of a packet (smp.md §6.1). */
export const SERIAL_MARKER_START = Uint8Array.of(0x06, 0x09);
/** Continuation line (smp.md §6.1). */
export const SERIAL_MARKER_CONTINUE = Uint8Array.of(0x04, 0x14);
/** Largest line a client sends, markers and newline included (smp.md §6.1 `MCUMGR_SERIAL_MAX_FRAME`). */
export const SERIAL_MAX_LINE = 127;
/** Longest line a receiver accepts from devices built with larger limits (smp.md §6.1: "a sane cap such as 4 KiB"). */
export const SERIAL_RECEIVE_LINE_CAP = 4096;

const NL = 0x0a;
const CR = 0x0d;
const BASE64_LINE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Frames one SMP packet for the serial console (smp.md §6.1): `total | packet | crc16` is
 * base64-encoded and cut into lines of at most `maxLine` bytes (markers and newline included).
 * Returns one `Uint8Array` per line.
 */
export function encodeSerialFrame(packet: Uint8Array, maxLine = SERIAL_MAX_LINE): Uint8Array[] {
  const perLine = Math.floor((maxLine - 3) / 4) * 4;
  if (perLine < 4) throw new RangeError(`A serial line of ${maxLine} bytes cannot carry base64 text`);
  const raw = new Uint8Array(packet.length + 4);
  const total = packet.length + 2;
  raw[0] = (total >> 8) & 0xff;
  raw[1] = total & 0xff;
  raw.set(packet, 2);
  const crc = crc16Xmodem(packet);
  raw[raw.length - 2] = (crc >> 8) & 0xff;
  raw[raw.length - 1] = crc & 0xff;
  const text = Buffer.from(raw).toString('base64');
  const lines: Uint8Array[] = [];
  for (let at = 0; at < text.length; at += perLine) {
    const piece = text.slice(at, at + perLine);
    const line = new Uint8Array(piece.length + 3);
    line.set(at === 0 ? SERIAL_MARKER_START : SERIAL_MARKER_CONTINUE, 0);
    for (let i = 0; i < piece.length; i++) line[2 + i] = piece.charCodeAt(i);
    line[line.length - 1] = NL;
    lines.push(line);
  }
  return lines;
}

/** Options of {@link SerialFrameDecoder}. */
export interface SerialDecoderOptions {
  partialTimeoutMs?: number;
  /** Longest line accepted, markers and newline included (default {@link SERIAL_RECEIVE_LINE_CAP}). */
  maxLine?: number;
}

/**
 * Streaming receiver for serial SMP frames (smp.md §6.2). Works line by line; console lines go
 * aside; any bad line drops the partial packet and the decoder waits for the next start marker.
 */
export class SerialFrameDecoder implements FrameDecoder {
  private readonly timeoutMs: number;
  private readonly maxLine: number;
  /** Bytes of the line being received (no newline yet). */
  private line: number[] = [];
  /** The current line exceeded the cap: its bytes are being discarded until the newline. */
  private overlong = 0;
  /** Decoded bytes of the packet in progress (after the total field), or undefined. */
  private partial: { total: number; bytes: number[]; rawBytes: number; lastMs: number } | undefined;

  constructor(opts: SerialDecoderOptions = {}) {
    this.timeoutMs = opts.partialTimeoutMs ?? DEFAULT_PARTIAL_TIMEOUT_MS;
    this.maxLine = opts.maxLine ?? SERIAL_RECEIVE_LINE_CAP;
  }

  push(chunk: Uint8Array, nowMs: number): DecodeOutput {
    const out = emptyOutput();
    this.expire(nowMs, out);
    for (const byte of chunk) {
      if (byte === NL) {
        if (this.overlong > 0) {
          this.dropPartial(out, 'line-too-long', this.overlong + 1);
          this.overlong = 0;
        } else {
          this.handleLine(this.line, nowMs, out);
        }
        this.line = [];
      } else if (this.overlong > 0) {
        this.overlong++;
      } else if (this.line.length + 1 >= this.maxLine) {
        this.overlong = this.line.length + 1;
        this.line = [];
      } else {
        this.line.push(byte);
      }
    }
    return out;
  }

  reset(): void {
    this.line = [];
    this.overlong = 0;
    this.partial = undefined;
  }

  private expire(nowMs: number, out: DecodeOutput): void {
    if (this.partial && nowMs - this.partial.lastMs > this.timeoutMs) this.dropPartial(out, 'timeout', 0);
  }

  /** Drops the partial packet (if any) together with `extra` bytes of the current line. */
  private dropPartial(out: DecodeOutput, reason: DropReason, extra: number): void {
    const bytes = (this.partial?.rawBytes ?? 0) + extra;
    this.partial = undefined;
    if (bytes > 0) out.dropped.push({ reason, bytes });
  }

  private handleLine(line: number[], nowMs: number, out: DecodeOutput): void {
    const rawBytes = line.length + 1;
    let end = line.length;
    if (end > 0 && line[end - 1] === CR) end--;
    const start = findStart(line, end);
    if (start < 0) {
      if (isMarker(line, 0, SERIAL_MARKER_CONTINUE)) return this.continuation(line, end, rawBytes, nowMs, out);
      if (end > 0) out.console.push(Buffer.from(line.slice(0, end)).toString('utf8'));
      return;
    }
    // Text before a start marker on the same line is console output or noise.
    if (start > 0) out.console.push(Buffer.from(line.slice(0, start)).toString('utf8'));
    if (this.partial) this.dropPartial(out, 'incomplete', 0);
    const frameRaw = rawBytes - start;
    const decoded = decodeBase64(line, start + 2, end);
    if (!decoded) {
      out.dropped.push({ reason: 'bad-base64', bytes: frameRaw });
      return;
    }
    const total = decoded.length >= 2 ? ((decoded[0] as number) << 8) | (decoded[1] as number) : 0;
    if (total < SMP_HEADER_SIZE + 2) {
      out.dropped.push({ reason: 'bad-length', bytes: frameRaw });
      return;
    }
    this.partial = { total, bytes: Array.from(decoded.subarray(2)), rawBytes: frameRaw, lastMs: nowMs };
    this.settle(out);
  }

  private continuation(line: number[], end: number, rawBytes: number, nowMs: number, out: DecodeOutput): void {
    const partial = this.partial;
    if (!partial) return void out.dropped.push({ reason: 'stray-continuation', bytes: rawBytes });
    const decoded = decodeBase64(line, 2, end);
    if (!decoded) return this.dropPartial(out, 'bad-base64', rawBytes);
    for (const b of decoded) partial.bytes.push(b);
    partial.rawBytes += rawBytes;
    partial.lastMs = nowMs;
    this.settle(out);
  }

  /** After each line: wait, drop (too long / bad CRC / bad length) or deliver (smp.md §6.2). */
  private settle(out: DecodeOutput): void {
    const p = this.partial;
    if (!p || p.bytes.length < p.total) return;
    if (p.bytes.length > p.total) return this.dropPartial(out, 'too-long', 0);
    const all = Uint8Array.from(p.bytes);
    if (crc16Xmodem(all) !== 0) return this.dropPartial(out, 'bad-crc', 0);
    const packet = all.slice(0, all.length - 2);
    if (packetSize(packet) !== packet.length) return this.dropPartial(out, 'bad-length', 0);
    this.partial = undefined;
    out.packets.push(packet);
  }
}

/** The serial framing (smp.md §6): lines of at most 127 bytes out, any split accepted in. */
export function serialFraming(opts: SerialDecoderOptions = {}): Framing {
  return {
    encode: (packet) => encodeSerialFrame(packet),
    createDecoder: () => new SerialFrameDecoder(opts),
  };
}

function isMarker(line: number[], at: number, marker: Uint8Array): boolean {
  return line[at] === marker[0] && line[at + 1] === marker[1];
}

function findStart(line: number[], end: number): number {
  for (let i = 0; i + 1 < end; i++) if (line[i] === 0x06 && line[i + 1] === 0x09) return i;
  return -1;
}

function decodeBase64(line: number[], from: number, to: number): Uint8Array | undefined {
  let text = '';
  for (let i = from; i < to; i++) text += String.fromCharCode(line[i] as number);
  if (!BASE64_LINE.test(text)) return undefined;
  return new Uint8Array(Buffer.from(text, 'base64'));
}
