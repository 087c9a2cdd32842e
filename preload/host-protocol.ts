import type { Channel, EventName, Events, Result } from './api';

/**
 * Messages of the browser host's WebSocket. The renderer sends `invoke`; the host answers each with
 * `result` (same id) and pushes `event`s. Types only: the renderer's client and the host share them.
 */
export type ClientMessage = { type: 'invoke'; id: number; channel: Channel; args: unknown };

export type ServerMessage =
  | { type: 'result'; id: number | null; result: Result<unknown> }
  /** First message on the connection that used the launch code: the secret for later connections. */
  | { type: 'session'; secret: string }
  | { [E in EventName]: { type: 'event'; event: E; payload: Events[E] } }[EventName];

/**
 * A request whose arguments carry bytes (`args.data`, a Uint8Array) travels as one binary message:
 * a 4-byte big-endian length, that many bytes of the request as JSON without `data`, then the
 * bytes themselves. Everything else is a JSON text message.
 */
export function encodeBinaryInvoke(message: ClientMessage, data: Uint8Array): Uint8Array {
  const { data: _omit, ...rest } = message.args as { data: Uint8Array } & Record<string, unknown>;
  void _omit;
  const header = new TextEncoder().encode(JSON.stringify({ ...message, args: rest }));
  const out = new Uint8Array(4 + header.length + data.length);
  new DataView(out.buffer).setUint32(0, header.length);
  out.set(header, 4);
  out.set(data, 4 + header.length);
  return out;
}

/** The request JSON and the bytes of a binary message, or null when it is not one. */
export function splitBinaryInvoke(frame: Uint8Array): { json: string; data: Uint8Array } | null {
  if (frame.length < 4) return null;
  const length = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0);
  if (4 + length > frame.length) return null;
  return { json: new TextDecoder('utf-8', { fatal: false }).decode(frame.subarray(4, 4 + length)), data: frame.subarray(4 + length) };
}

/**
 * Path of the WebSocket endpoint. The first connection presents the one-time launch code from the
 * page address (`?code=`); every later one the session secret it was given (`?session=`).
 */
export const API_PATH = '/api';
