import type { DecodeOutput } from './framing';
import { packetSize } from './packet';

/**
 * Reassembles packets from a byte sequence delimited only by the SMP header's length (the BLE
 * rule of smp.md §7). Shared by the BLE and HID decoders. Bytes past one packet's end start the next.
 */
export class LengthReassembler {
  private buf = new Uint8Array(0);
  private lastMs = 0;

  /** True while some bytes of an unfinished packet are held. */
  get holding(): boolean {
    return this.buf.length > 0;
  }

  /** Appends bytes, moves every whole packet to `out.packets`. */
  append(bytes: Uint8Array, nowMs: number, out: DecodeOutput): void {
    const joined = new Uint8Array(this.buf.length + bytes.length);
    joined.set(this.buf, 0);
    joined.set(bytes, this.buf.length);
    let at = 0;
    for (;;) {
      const rest = joined.subarray(at);
      const size = packetSize(rest);
      if (size === undefined || rest.length < size) break;
      if ((rest[0] as number) & 0xe0) {
        // Reserved header bits set: this is not a packet start, nothing after it can be trusted.
        out.dropped.push({ reason: 'bad-length', bytes: rest.length });
        at = joined.length;
        break;
      }
      out.packets.push(rest.slice(0, size));
      at += size;
    }
    this.buf = joined.slice(at);
    this.lastMs = nowMs;
  }

  /** Drops held bytes if nothing arrived for longer than `timeoutMs`. */
  expire(nowMs: number, timeoutMs: number, out: DecodeOutput): void {
    if (this.buf.length > 0 && nowMs - this.lastMs > timeoutMs) this.drop('timeout', out);
  }

  /** Drops whatever is held, reporting `reason`. */
  drop(reason: 'timeout' | 'incomplete' | 'too-long', out: DecodeOutput): void {
    if (this.buf.length > 0) out.dropped.push({ reason, bytes: this.buf.length });
    this.buf = new Uint8Array(0);
  }
}
