import { emptyOutput, type DecodeOutput, type FrameDecoder, type Framing } from './framing';
import { splitPackets } from './packet';

/**
 * Raw framing (UDP §8, loopback): one write or datagram carries one or more whole packets back
 * to back, nothing else. Leftover bytes that form no whole packet are dropped as `truncated`.
 */
export class RawFrameDecoder implements FrameDecoder {
  push(datagram: Uint8Array): DecodeOutput {
    const out = emptyOutput();
    const { packets, leftover } = splitPackets(datagram);
    out.packets.push(...packets);
    if (leftover > 0) out.dropped.push({ reason: 'truncated', bytes: leftover });
    return out;
  }

  reset(): void {
    // Stateless: every datagram stands alone.
  }
}

/** The raw framing: a packet is written as it is. */
export function rawFraming(): Framing {
  return { encode: (packet) => [packet], createDecoder: () => new RawFrameDecoder() };
}
