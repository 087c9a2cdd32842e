import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One recorded request/answer pair of a transcript (../shared/spec/transcripts/README.md). */
export interface RecordedExchange {
  index: number;
  build: string;
  scenario: number;
  step: string;
  request: { smp_hex: string; framed_hex: string; smp: { seq: number; body: Record<string, unknown> } };
  outcome: 'answered' | 'silent';
  response?: { smp_hex: string; framed_hex: string; smp: { body: Record<string, unknown> } };
}

/** Something that happened between exchanges (a restart, a reset). */
export interface RecordedEvent {
  build: string;
  event: string;
  after_exchange_index: number | null;
}

/** A transcript file: header, events, exchanges. */
export interface Transcript {
  header: Record<string, unknown>;
  events: RecordedEvent[];
  exchanges: RecordedExchange[];
}

const DIR = join(import.meta.dirname, '../../../../shared/spec/transcripts');

/** Reads one transcript from the shared spec folder. */
export function loadTranscript(name: 'mcuboot-serial-recovery' | 'zephyr-smp-svr'): Transcript {
  return JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as Transcript;
}

/** Hex text → bytes. */
export function fromHex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'hex'));
}

/** Bytes → lower-case hex text, as the transcripts write it. */
export function toHexText(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/**
 * The transcripts' JSON view of a decoded body: byte strings as lower-case hex text, so a body
 * the client decoded compares with `smp.body` as recorded.
 */
export function asRecorded(value: unknown): unknown {
  if (value instanceof Uint8Array) return toHexText(value);
  if (Array.isArray(value)) return value.map(asRecorded);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asRecorded(v)]));
  return value;
}
