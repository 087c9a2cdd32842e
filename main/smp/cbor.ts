import { decode, encode } from 'cborg';

/**
 * CBOR for SMP bodies (smp.md §2): maps with text keys, definite lengths, shortest integers.
 * cborg (pure JavaScript, no native part) writes exactly that; map keys keep the order the caller
 * gave them (cborg sorts them by default), and byte strings decode to `Uint8Array`.
 */

/** A decoded or to-be-encoded SMP body: a CBOR map with text keys. */
export type SmpBody = Record<string, unknown>;

/** Keep insertion order: SMP peers and the spec's byte examples use the order the fields are written in. */
const keepOrder = () => 0;

/** Encodes a body. Keys whose value is `undefined` are left out; integers of any size stay integers. */
export function encodeCbor(value: unknown): Uint8Array {
  return encode(prepare(value), { mapSorter: keepOrder });
}

/** Outcome of decoding one CBOR item that must fill the whole input. */
export type CborDecodeResult = { ok: true; value: unknown } | { ok: false; message: string };

/**
 * Decodes exactly one CBOR item from `bytes` (definite or indefinite lengths, any integer width).
 * Byte strings come back as standalone `Uint8Array`s; integers that fit a JS number come back as numbers.
 */
export function decodeCbor(bytes: Uint8Array): CborDecodeResult {
  try {
    return { ok: true, value: normalise(decode(bytes, { useMaps: false, allowUndefined: true })) };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}

function prepare(value: unknown): unknown {
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map(prepare);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = prepare(v);
    return out;
  }
  return value;
}

function normalise(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value;
  }
  // Byte strings may be views into the input: hand out an owned plain copy.
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (Array.isArray(value)) return value.map(normalise);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = normalise(v);
    return out;
  }
  return value;
}
