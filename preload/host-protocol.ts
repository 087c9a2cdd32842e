import type { Channel, EventName, Events, Result } from './api';

/**
 * Messages of the browser host's WebSocket. The renderer sends `invoke`; the host answers each with
 * `result` (same id) and pushes `event`s. Types only: the renderer's client and the host share them.
 */
export type ClientMessage = { type: 'invoke'; id: number; channel: Channel; args: unknown };

export type ServerMessage =
  | { type: 'result'; id: number | null; result: Result<unknown> }
  | { [E in EventName]: { type: 'event'; event: E; payload: Events[E] } }[EventName];

/** Path of the WebSocket endpoint; the token goes in the `token` query parameter. */
export const API_PATH = '/api';
