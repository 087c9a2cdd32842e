import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { API_PATH, type ClientMessage, type ServerMessage } from '../../preload/host-protocol';
import type { Core } from '../core';
import { contentSecurityPolicy, serveStatic } from './static-files';

/** A running browser host. */
export interface BrowserHost {
  /** Origin the host serves, e.g. `http://127.0.0.1:43125`. */
  origin: string;
  /** Per-launch secret the renderer must present; in {@link url}'s fragment so it is never sent in a request line. */
  token: string;
  /** What to open in a browser: origin plus `#token=…`. */
  url: string;
  close(): Promise<void>;
}

export interface HostOptions {
  core: Core;
  /** Folder of the built renderer (`out/renderer`). */
  rendererDir: string;
  /** Port to bind on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
}

const MAX_MESSAGE_BYTES = 1 << 20;

/**
 * The browser host: serves the built renderer and the core's API over a WebSocket bound to
 * 127.0.0.1. A WebSocket upgrade is refused unless it comes from our own origin and carries this
 * launch's random token.
 */
export async function startBrowserHost(options: HostOptions): Promise<BrowserHost> {
  const { core } = options;
  const token = randomBytes(24).toString('base64url');
  let origin = '';
  const server: Server = createServer((req, res) => {
    serveStatic(options.rendererDir, req, res, contentSecurityPolicy(origin)).catch((err: unknown) => {
      core.log.error(`host: serving ${req.url}: ${String(err)}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  server.on('upgrade', (req, socket: Duplex, head) => {
    const url = new URL(req.url ?? '/', origin);
    const refusal =
      url.pathname !== API_PATH
        ? '404 Not Found'
        : req.headers.origin !== origin
          ? '403 Forbidden'
          : !tokenMatches(url.searchParams.get('token'), token)
            ? '401 Unauthorized'
            : null;
    if (refusal) {
      core.log.warn(`host: refused a WebSocket from origin ${req.headers.origin ?? '(none)'}: ${refusal}`);
      socket.end(`HTTP/1.1 ${refusal}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveClient(ws, core));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  core.log.info(`browser host listening on ${origin}`);
  return {
    origin,
    token,
    url: `${origin}/#token=${token}`,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function tokenMatches(given: string | null, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** One renderer connection: requests in, results and events out. */
function serveClient(ws: WebSocket, core: Core): void {
  const send = (msg: ServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  };
  const off = core.onAny((event, payload) => send({ type: 'event', event, payload } as ServerMessage));
  ws.on('close', off);
  ws.on('message', (data, isBinary) => {
    const msg = isBinary ? null : parseClientMessage(data.toString());
    if (!msg) {
      send({ type: 'result', id: null, result: { ok: false, error: { kind: 'bad-message', message: 'Malformed message: expected {"type":"invoke","id":<number>,"channel":<string>,"args":…}', userFault: false } } });
      return;
    }
    void core.invoke(msg.channel, msg.args).then((result) => send({ type: 'result', id: msg.id, result }));
  });
}

function parseClientMessage(text: string): ClientMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object') return null;
  const { type, id, channel, args } = value as Record<string, unknown>;
  if (type !== 'invoke' || typeof id !== 'number' || !Number.isSafeInteger(id) || typeof channel !== 'string') return null;
  // An unknown channel still gets an answer (with its id), from the core.
  return { type, id, channel: channel as ClientMessage['channel'], args };
}
