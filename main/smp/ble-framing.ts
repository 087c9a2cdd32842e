import { DEFAULT_PARTIAL_TIMEOUT_MS, emptyOutput, type DecodeOutput, type FrameDecoder, type Framing } from './framing';
import { LengthReassembler } from './length-reassembler';

/** Default ATT payload: default MTU 23 − 3 (smp.md §7). */
export const BLE_DEFAULT_WRITE = 20;

/**
 * BLE framing (smp.md §7): a packet is cut into pieces of at most `maxWrite` (MTU − 3) bytes;
 * the receiver appends pieces until it holds 8 + header length bytes. A notification holding
 * the end of one packet and the start of the next is handled (the extra bytes start the next packet).
 */
export function bleFraming(opts: { maxWrite?: number; partialTimeoutMs?: number } = {}): Framing {
  const maxWrite = opts.maxWrite ?? BLE_DEFAULT_WRITE;
  if (!(maxWrite >= 1)) throw new RangeError(`BLE write size must be at least 1, got ${maxWrite}`);
  return {
    encode: (packet) => {
      const out: Uint8Array[] = [];
      for (let at = 0; at < packet.length; at += maxWrite) out.push(packet.slice(at, at + maxWrite));
      return out;
    },
    createDecoder: () => new BleFrameDecoder(opts.partialTimeoutMs ?? DEFAULT_PARTIAL_TIMEOUT_MS),
  };
}

/** Reassembles notifications into packets; a partial packet expires after the timeout. */
export class BleFrameDecoder implements FrameDecoder {
  private readonly asm = new LengthReassembler();

  constructor(private readonly timeoutMs = DEFAULT_PARTIAL_TIMEOUT_MS) {}

  push(chunk: Uint8Array, nowMs: number): DecodeOutput {
    const out = emptyOutput();
    this.asm.expire(nowMs, this.timeoutMs, out);
    if (chunk.length > 0) this.asm.append(chunk, nowMs, out);
    return out;
  }

  reset(): void {
    this.asm.drop('incomplete', emptyOutput());
  }
}
