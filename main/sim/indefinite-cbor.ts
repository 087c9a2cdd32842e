import { encodeCbor, type SmpBody } from '../smp/cbor';

/**
 * Encodes a body the way zcbor does without `ZCBOR_CANONICAL` (MCUboot serial recovery and
 * Zephyr 3.5's SMP server, smp.md §11.1–11.2): every map and array, nested ones too, with an
 * indefinite-length head (0xBF / 0x9F … 0xFF); scalars in their shortest form. Maps may be
 * given as `Map`s to keep integer-like text keys in order.
 */
export function encodeIndefiniteCbor(body: SmpBody): Uint8Array {
  const parts: Uint8Array[] = [];
  put(body, parts);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const MAP_START = Uint8Array.of(0xbf);
const ARRAY_START = Uint8Array.of(0x9f);
const BREAK = Uint8Array.of(0xff);

function put(value: unknown, parts: Uint8Array[]): void {
  if (Array.isArray(value)) {
    parts.push(ARRAY_START);
    for (const v of value) put(v, parts);
    parts.push(BREAK);
  } else if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    parts.push(MAP_START);
    // A Map keeps keys such as "3" and "-16" in the order given (an object would put "3" first).
    for (const [k, v] of value instanceof Map ? value.entries() : Object.entries(value)) {
      if (v === undefined) continue;
      parts.push(encodeCbor(k));
      put(v, parts);
    }
    parts.push(BREAK);
  } else {
    parts.push(encodeCbor(value));
  }
}
