import { SiteflashError } from '../errors';
import { decodeCbor, encodeCbor, type SmpBody } from './cbor';
import { SMP_HEADER_SIZE, SMP_MAX_BODY, SmpVersion, type SmpOpValue } from './constants';

/** The 8-byte SMP header (smp.md §1). Multi-byte fields are big-endian on the wire. */
export interface SmpHeader {
  /** 0 read, 1 read response, 2 write, 3 write response. */
  op: SmpOpValue;
  /** 0 = SMP version 1 (legacy errors), 1 = SMP version 2 (group errors); 2 and 3 reserved. */
  version: number;
  /** No flags are defined: sent as 0, ignored on receipt. */
  flags: number;
  /** Body length in bytes. */
  length: number;
  group: number;
  seq: number;
  id: number;
}

/** What {@link encodePacket} takes: the header fields plus a body (a map, or already-encoded CBOR). */
export interface SmpPacketFields {
  op: SmpOpValue;
  group: number;
  id: number;
  seq: number;
  /** Defaults to 1 (SMP version 2), what clients send (smp.md §10). */
  version?: number;
  flags?: number;
  /** A CBOR map body; `{}` when omitted. Pass a `Uint8Array` to send pre-encoded (or deliberately bad) bytes. */
  body?: SmpBody | Uint8Array;
}

/** A decoded packet. */
export interface SmpPacket {
  header: SmpHeader;
  body: SmpBody;
}

/** Why a packet could not be decoded. */
export type SmpDecodeReason = 'too-short' | 'length-mismatch' | 'bad-cbor' | 'body-not-map';

/** A packet that cannot be decoded; `kind` is always `smp-decode`, `reason` says why. */
export class SmpDecodeError extends SiteflashError {
  constructor(
    readonly reason: SmpDecodeReason,
    message: string,
  ) {
    super('smp-decode', message, false, { reason });
  }
}

/** Result of {@link decodePacket}: a packet, or a typed decode error. */
export type SmpDecodeResult = ({ ok: true } & SmpPacket) | { ok: false; error: SmpDecodeError };

/** Encodes the 8-byte header (smp.md §1). Byte 0 = `(version << 3) | op`. */
export function encodeHeader(h: Omit<SmpHeader, 'flags'> & { flags?: number }): Uint8Array {
  const out = new Uint8Array(SMP_HEADER_SIZE);
  out[0] = ((h.version & 0x03) << 3) | (h.op & 0x07);
  out[1] = (h.flags ?? 0) & 0xff;
  out[2] = (h.length >> 8) & 0xff;
  out[3] = h.length & 0xff;
  out[4] = (h.group >> 8) & 0xff;
  out[5] = h.group & 0xff;
  out[6] = h.seq & 0xff;
  out[7] = h.id & 0xff;
  return out;
}

/**
 * Decodes the header at the start of `bytes`, or returns undefined when fewer than 8 bytes are given.
 * Reserved bits 7..5 of byte 0 are ignored, as servers that predate v2 do (smp.md §1).
 */
export function decodeHeader(bytes: Uint8Array): SmpHeader | undefined {
  if (bytes.length < SMP_HEADER_SIZE) return undefined;
  const b = (i: number) => bytes[i] as number;
  return {
    op: (b(0) & 0x07) as SmpOpValue,
    version: (b(0) >> 3) & 0x03,
    flags: b(1),
    length: (b(2) << 8) | b(3),
    group: (b(4) << 8) | b(5),
    seq: b(6),
    id: b(7),
  };
}

/** Whole size (header + body) of the packet starting at `bytes`, or undefined with fewer than 8 bytes. */
export function packetSize(bytes: Uint8Array): number | undefined {
  const h = decodeHeader(bytes);
  return h && SMP_HEADER_SIZE + h.length;
}

/** Encodes one SMP packet: header with the right length, then the CBOR body. */
export function encodePacket(p: SmpPacketFields): Uint8Array {
  const body = p.body instanceof Uint8Array ? p.body : encodeCbor(p.body ?? {});
  if (body.length > SMP_MAX_BODY) throw new RangeError(`SMP body of ${body.length} bytes exceeds the 16-bit length field`);
  const header = encodeHeader({
    op: p.op,
    version: p.version ?? SmpVersion.v2,
    flags: p.flags ?? 0,
    length: body.length,
    group: p.group,
    seq: p.seq,
    id: p.id,
  });
  const out = new Uint8Array(SMP_HEADER_SIZE + body.length);
  out.set(header, 0);
  out.set(body, SMP_HEADER_SIZE);
  return out;
}

/**
 * Decodes exactly one packet. The input must be the whole packet: fewer bytes than the header
 * announces, or more, is a `length-mismatch`. An empty body decodes as `{}`; a body that is
 * not a CBOR map is `body-not-map`.
 */
export function decodePacket(bytes: Uint8Array): SmpDecodeResult {
  const header = decodeHeader(bytes);
  if (!header) return fail('too-short', `An SMP packet needs at least 8 bytes, got ${bytes.length}.`);
  const size = SMP_HEADER_SIZE + header.length;
  if (bytes.length !== size) {
    return fail('length-mismatch', `The SMP header announces ${header.length} body bytes but ${bytes.length - SMP_HEADER_SIZE} arrived.`);
  }
  if (header.length === 0) return { ok: true, header, body: {} };
  const decoded = decodeCbor(bytes.subarray(SMP_HEADER_SIZE, size));
  if (!decoded.ok) return fail('bad-cbor', `The SMP body is not valid CBOR (${decoded.message}).`);
  const v = decoded.value;
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array || v instanceof Map) {
    return fail('body-not-map', 'The SMP body is valid CBOR but not a map.');
  }
  return { ok: true, header, body: v as SmpBody };
}

/**
 * Splits bytes holding one or more whole packets back to back (smp.md §1: one transport packet
 * may carry several). Returns the packets and the count of trailing bytes that form no whole packet.
 */
export function splitPackets(bytes: Uint8Array): { packets: Uint8Array[]; leftover: number } {
  const packets: Uint8Array[] = [];
  let at = 0;
  for (;;) {
    const size = packetSize(bytes.subarray(at));
    if (size === undefined || at + size > bytes.length) break;
    packets.push(bytes.slice(at, at + size));
    at += size;
  }
  return { packets, leftover: bytes.length - at };
}

function fail(reason: SmpDecodeReason, message: string): SmpDecodeResult {
  return { ok: false, error: new SmpDecodeError(reason, message) };
}
