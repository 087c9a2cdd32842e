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
 * Path of the WebSocket endpoint. The first connection presents the one-time launch code from the
 * page address (`?code=`); every later one the session secret it was given (`?session=`).
 */
export const API_PATH = '/api';
