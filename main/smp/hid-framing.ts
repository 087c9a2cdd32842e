import { DEFAULT_PARTIAL_TIMEOUT_MS, emptyOutput, type DecodeOutput, type DropReason, type FrameDecoder, type Framing } from './framing';
import { packetSize } from './packet';

/** Report id of SMP reports (hid-transport.md). */
export const HID_REPORT_ID = 0x01;
/** Bytes of one report, report id included (hid-transport.md worked example: 01 8E + 14 + 48 zeros). */
export const HID_REPORT_SIZE = 64;
/** Payload bytes per report: bits 0–5 of the control byte, 1–62 (hid-transport.md). */
export const HID_MAX_PAYLOAD = 62;
/** Control byte bit marking the first report of a packet (hid-transport.md). */
export const HID_FIRST = 0x80;

/** Cuts one packet into 64-byte reports: `01`, control, payload, zero padding (hid-transport.md). */
export function encodeHidReports(packet: Uint8Array): Uint8Array[] {
  const reports: Uint8Array[] = [];
  for (let at = 0; at < packet.length; at += HID_MAX_PAYLOAD) {
    const piece = packet.subarray(at, at + HID_MAX_PAYLOAD);
    const report = new Uint8Array(HID_REPORT_SIZE);
    report[0] = HID_REPORT_ID;
    report[1] = (at === 0 ? HID_FIRST : 0) | piece.length;
    report.set(piece, 2);
    reports.push(report);
  }
  return reports;
}

/**
 * Receives reports (with the report id as byte 0). A packet is the payload of one first report
 * and the reports after it; it is complete at 8 + header length bytes. Extra bytes, or a first
 * report before completion, discard the partial packet (hid-transport.md).
 */
export class HidFrameDecoder implements FrameDecoder {
  private buf: Uint8Array | undefined;
  private lastMs = 0;

  constructor(private readonly timeoutMs = DEFAULT_PARTIAL_TIMEOUT_MS) {}

  push(report: Uint8Array, nowMs: number): DecodeOutput {
    const out = emptyOutput();
    if (this.buf && nowMs - this.lastMs > this.timeoutMs) this.drop('timeout', out);
    if (report.length === 0) return out;
    const control = report[1] ?? 0;
    const count = control & 0x3f;
    if (report[0] !== HID_REPORT_ID || count < 1 || count > HID_MAX_PAYLOAD || report.length < 2 + count) {
      out.dropped.push({ reason: 'bad-report', bytes: report.length });
      return out;
    }
    const payload = report.subarray(2, 2 + count);
    if (control & HID_FIRST) {
      this.drop('incomplete', out);
      this.buf = payload.slice();
    } else if (!this.buf) {
      out.dropped.push({ reason: 'stray-continuation', bytes: count });
      return out;
    } else {
      const joined = new Uint8Array(this.buf.length + count);
      joined.set(this.buf, 0);
      joined.set(payload, this.buf.length);
      this.buf = joined;
    }
    this.lastMs = nowMs;
    const size = packetSize(this.buf);
    if (size === undefined || this.buf.length < size) return out;
    if (this.buf.length > size) this.drop('too-long', out);
    else {
      out.packets.push(this.buf);
      this.buf = undefined;
    }
    return out;
  }

  reset(): void {
    this.buf = undefined;
  }

  private drop(reason: DropReason, out: DecodeOutput): void {
    if (this.buf) out.dropped.push({ reason, bytes: this.buf.length });
    this.buf = undefined;
  }
}

/** HID framing (hid-transport.md): 64-byte reports, report id 0x01, control byte, ≤ 62 payload bytes. */
export function hidFraming(opts: { partialTimeoutMs?: number } = {}): Framing {
  return {
    encode: encodeHidReports,
    createDecoder: () => new HidFrameDecoder(opts.partialTimeoutMs ?? DEFAULT_PARTIAL_TIMEOUT_MS),
  };
}
