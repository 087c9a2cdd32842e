import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { API_PATH, splitBinaryInvoke, type ClientMessage, type ServerMessage } from '../../preload/host-protocol';
import type { Core } from '../core';
import type { Logger } from '../log/logger';
import { contentSecurityPolicy, serveStatic } from './static-files';

/** A running browser host. */
export interface BrowserHost {
  /** Origin the host serves, e.g. `http://127.0.0.1:43125`. */
  origin: string;
  /**
   * What to open in a browser: origin plus `#code=…`, a one-time launch code. The first WebSocket
   * that presents it gets this launch's session secret; any later use of the code is refused.
   */
  url: string;
  close(): Promise<void>;
}

/** Bounds that keep one client from taking the host down or growing it without limit. */
export interface HostLimits {
  /** Largest WebSocket message accepted, bytes; a larger one closes that client (1009). */
  maxMessageBytes: number;
  /** Requests of one connection being worked on or answered-but-unsent; beyond it the host stops reading that connection. */
  maxInFlight: number;
  /** Open WebSocket connections; more are refused with 503. */
  maxConnections: number;
  /** Answers and events queued for a client that does not read; above it that client is dropped. */
  maxBufferedBytes: number;
}

/**
 * A request carries at most one upload chunk (1 MiB of bytes in a binary message, see
 * `main/releases/upload-staging.ts`); 2 MiB leaves room for the envelope.
 */
export const DEFAULT_LIMITS: HostLimits = {
  maxMessageBytes: 2 << 20,
  maxInFlight: 32,
  maxConnections: 16,
  maxBufferedBytes: 32 << 20,
};

export interface HostOptions {
  core: Core;
  /** Folder of the built renderer (`out/renderer`). */
  rendererDir: string;
  /** Port to bind on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  limits?: Partial<HostLimits>;
}

/**
 * The browser host: serves the built renderer and the core's API over one WebSocket server bound
 * to 127.0.0.1. An upgrade is refused unless it comes from our own origin and presents either the
 * unused launch code (exchanged for the session secret, once) or the session secret. No client
 * can end the host: every socket and the servers have error handlers, messages are bounded, and
 * a client's requests in flight and unread answers are capped.
 */
export async function startBrowserHost(options: HostOptions): Promise<BrowserHost> {
  const { core } = options;
  const log = core.log.child('host');
  const limits: HostLimits = { ...DEFAULT_LIMITS, ...options.limits };
  let launchCode: string | null = randomBytes(24).toString('base64url');
  let session: string | null = null;
  let origin = '';
  const server: Server = createServer((req, res) => {
    serveStatic(options.rendererDir, req, res, contentSecurityPolicy(origin)).catch((err: unknown) => {
      log.error(`serving ${req.url}: ${String(err)}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  // Bad HTTP from a client (or a reset connection) ends that connection, never the host.
  server.on('clientError', (_err, socket: Duplex) => socket.destroy());
  server.maxConnections = limits.maxConnections * 8;
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes, clientTracking: true });
  wss.on('error', (err) => log.warn(`WebSocket server: ${err.message}`));
  wss.on('wsClientError', (err, socket) => {
    log.warn(`refused a WebSocket handshake: ${err.message}`);
    socket.destroy();
  });

  server.on('upgrade', (req, socket: Duplex, head) => {
    socket.on('error', (err) => log.warn(`connection error before upgrade: ${err.message}`));
    const url = new URL(req.url ?? '/', origin);
    const code = url.searchParams.get('code');
    const refuse = (status: string, why: string) => {
      log.warn(`refused a WebSocket from origin ${req.headers.origin ?? '(none)'}: ${status} (${why})`);
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== API_PATH) return refuse('404 Not Found', 'not the API path');
    if (req.headers.origin !== origin) return refuse('403 Forbidden', 'another origin');
    if (wss.clients.size >= limits.maxConnections) return refuse('503 Service Unavailable', `${limits.maxConnections} connections already open`);
    let issued: string | null = null;
    if (code !== null) {
      if (!launchCode || !secretMatches(code, launchCode)) return refuse('401 Unauthorized', launchCode ? 'wrong launch code' : 'the launch code was already used');
      launchCode = null;
      session = issued = randomBytes(32).toString('base64url');
      log.info('launch code used: session secret issued to the first connection');
    } else if (!session || !secretMatches(url.searchParams.get('session'), session)) {
      return refuse('401 Unauthorized', 'no valid session secret');
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveClient(ws, core, log, limits, issued));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log.error(`HTTP server: ${err.message}`));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  log.info(`browser host listening on ${origin}`);
  const url = `${origin}/#code=${launchCode}`;
  return {
    origin,
    url,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function secretMatches(given: string | null, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * One renderer connection: requests in, results and events out. A request counts as in flight
 * from its arrival until its answer has been handed to the OS socket; at `maxInFlight` the host
 * stops reading this connection (TCP then holds the sender back) and queues what was already
 * read. A client whose unread answers and events pass `maxBufferedBytes` is dropped.
 */
function serveClient(ws: WebSocket, core: Core, log: Logger, limits: HostLimits, issuedSession: string | null): void {
  let inFlight = 0;
  const backlog: { data: RawData; isBinary: boolean }[] = [];
  ws.on('error', (err) => log.warn(`client dropped: ${err.message}`));

  const send = (msg: ServerMessage, done?: () => void) => {
    if (ws.readyState !== ws.OPEN) return done?.();
    if (ws.bufferedAmount > limits.maxBufferedBytes) {
      const unread = ws.bufferedAmount;
      // Closed before the log line: that line is an event for this client too.
      ws.terminate();
      log.warn(`client dropped: ${unread} bytes of answers and events left unread`);
      return done?.();
    }
    ws.send(JSON.stringify(msg), () => done?.());
  };
  const finished = () => {
    inFlight--;
    while (inFlight < limits.maxInFlight && backlog.length > 0) handle(backlog.shift()!);
    if (ws.isPaused && inFlight < limits.maxInFlight && ws.readyState === ws.OPEN) ws.resume();
  };
  const handle = ({ data, isBinary }: { data: RawData; isBinary: boolean }) => {
    inFlight++;
    const msg = isBinary ? parseBinaryMessage(rawBytes(data)) : parseClientMessage(rawBytes(data).toString());
    if (!msg) {
      send({ type: 'result', id: null, result: { ok: false, error: { kind: 'bad-message', message: 'Malformed message: expected {"type":"invoke","id":<number>,"channel":<string>,"args":…}', userFault: false } } }, finished);
      return;
    }
    void core.invoke(msg.channel, msg.args).then((result) => {
      trackUpload(msg, result);
      send({ type: 'result', id: msg.id, result }, finished);
    });
  };
  // Uploads this connection began and did not finish are dropped when it closes (a reload mid-upload).
  const uploads = new Set<string>();
  const trackUpload = (msg: ClientMessage, result: { ok: boolean; value?: unknown }) => {
    if (msg.channel === 'upload:begin' && result.ok) uploads.add((result.value as { uploadId: string }).uploadId);
    else if (msg.channel === 'upload:abort' || msg.channel === 'releases:import-upload' || msg.channel === 'image:check-upload') uploads.delete((msg.args as { uploadId?: string } | null)?.uploadId ?? '');
  };

  if (issuedSession) send({ type: 'session', secret: issuedSession });
  const off = core.onAny((event, payload) => send({ type: 'event', event, payload } as ServerMessage));
  ws.on('close', () => {
    off();
    backlog.length = 0;
    for (const uploadId of uploads) void core.invoke('upload:abort', { uploadId });
    uploads.clear();
  });
  ws.on('message', (data, isBinary) => {
    if (inFlight >= limits.maxInFlight) {
      if (!ws.isPaused) ws.pause();
      backlog.push({ data, isBinary });
      return;
    }
    handle({ data, isBinary });
  });
}

function rawBytes(data: RawData): Buffer {
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
}

/** A binary message: a request whose `args.data` is the bytes after its JSON (see host-protocol.ts). */
function parseBinaryMessage(frame: Buffer): ClientMessage | null {
  const parts = splitBinaryInvoke(frame);
  const msg = parts ? parseClientMessage(parts.json) : null;
  if (!msg || !parts || !msg.args || typeof msg.args !== 'object' || Array.isArray(msg.args)) return null;
  return { ...msg, args: { ...(msg.args as Record<string, unknown>), data: parts.data } };
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
