import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Rng } from '../../../main/sync/clock';

/** Per-request probabilities of each fault on upload endpoints; the rest are answered normally. */
export interface FaultPlan {
  /** Answer 500 without committing. */
  error500: number;
  /** Never answer (the client must time out); nothing is committed. */
  hang: number;
  /** Commit the batch, then drop the connection before answering. */
  dropAfterCommit: number;
  /** Process the batch twice, as if a proxy replayed it; answer the second time. */
  duplicate: number;
  /** Answer after `slowMs`. */
  slow: number;
  slowMs: number;
}

/** One exchange as the server saw it, for schema checks. */
export interface Exchange {
  method: string;
  /** The OpenAPI path template matched, e.g. `/v1/sites/{siteId}`. */
  route: string;
  status: number;
  requestBody?: unknown;
  responseBody?: unknown;
  headers: Record<string, string | number | undefined>;
}

/** A test cloud serving resources/openapi.yaml on 127.0.0.1, with seeded fault injection. */
export class TestCloud {
  /** idempotency key → committed item: the server's only effect. */
  readonly committed = new Map<string, { kind: string; payload: unknown }>();
  /** idempotency key → how many times it arrived in a batch. */
  readonly deliveries = new Map<string, number>();
  /** How many commits happened (must equal committed.size for exactly-once). */
  effects = 0;
  readonly faultsFired: Record<'error500' | 'hang' | 'dropAfterCommit' | 'duplicate' | 'slow', number> = {
    error500: 0, hang: 0, dropAfterCommit: 0, duplicate: 0, slow: 0,
  };
  readonly exchanges: Exchange[] = [];
  /** Range headers received on bundle downloads. */
  readonly rangeRequests: (string | undefined)[] = [];
  /** When true every connection is dropped at once: the cloud is unreachable. */
  down = false;
  /** The catalog's sites and devices as the cloud answers them; a test may replace them (fleet rules, bad values). */
  sites: Record<string, unknown>[] = SITES;
  devices: Record<string, unknown>[] = DEVICES;
  /** Cut the next bundle transfer after this many bytes of its body. */
  cutNextBundleAt: number | null = null;
  /** Items with these keys are answered `rejected` and never committed. */
  readonly rejectKeys = new Set<string>();
  /** Upload requests seen (all, faulted or not). */
  uploadRequests = 0;
  /** Called for each upload request; lets a test change the world mid-sync. */
  onUpload: ((n: number) => void) | null = null;

  url = '';
  /** The bearer token the cloud accepts; a test may change it to model a revoked token. */
  token: string;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly faults: FaultPlan;

  /** How far the server's clock runs ahead of this computer's (its health answer's `time`). */
  clockAheadMs = 0;

  constructor(
    private readonly opts: {
      token: string;
      rng: Rng;
      faults?: Partial<FaultPlan>;
      bundles?: Map<string, Uint8Array>;
      /** Keep exchanges for schema checks (off in benchmarks). */
      record?: boolean;
    },
  ) {
    this.token = opts.token;
    this.faults = { error500: 0, hang: 0, dropAfterCommit: 0, duplicate: 0, slow: 0, slowMs: 0, ...opts.faults };
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    const addr = this.server.address();
    if (!addr || typeof addr === 'string') throw new Error('no port');
    this.url = `http://127.0.0.1:${addr.port}`;
    return this.url;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.down) return void req.socket.destroy();
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const body = method === 'POST' ? await readBody(req) : undefined;
    if (path === '/v1/health' && method === 'GET') return this.json(res, method, '/v1/health', 200, { status: 'ok', time: new Date(Date.now() + this.clockAheadMs).toISOString() });
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      return this.json(res, method, routeOf(path), 401, { error: 'unauthorized', message: 'Invalid token.' });
    }
    let m: RegExpExecArray | null;
    if (method === 'GET' && path === '/v1/me') return this.json(res, method, '/v1/me', 200, { id: 'tech-1', name: 'Alex Field' });
    if (method === 'GET' && path === '/v1/projects') return this.json(res, method, '/v1/projects', 200, { projects: PROJECTS });
    if (method === 'GET' && (m = /^\/v1\/projects\/([^/]+)\/sites$/.exec(path))) {
      const pid = m[1];
      if (!PROJECTS.some((p) => p.id === pid)) return this.notFound(res, method, '/v1/projects/{projectId}/sites');
      return this.json(res, method, '/v1/projects/{projectId}/sites', 200, { sites: SITES.filter((s) => s.projectId === pid) });
    }
    if (method === 'GET' && (m = /^\/v1\/projects\/([^/]+)\/system-versions$/.exec(path))) {
      if (!PROJECTS.some((p) => p.id === m?.[1])) return this.notFound(res, method, '/v1/projects/{projectId}/system-versions');
      return this.json(res, method, '/v1/projects/{projectId}/system-versions', 200, { systemVersions: this.systemVersions() });
    }
    if (method === 'GET' && (m = /^\/v1\/sites\/([^/]+)$/.exec(path))) {
      const site = this.sites.find((s) => s.id === m?.[1]);
      return site ? this.json(res, method, '/v1/sites/{siteId}', 200, site) : this.notFound(res, method, '/v1/sites/{siteId}');
    }
    if (method === 'GET' && (m = /^\/v1\/sites\/([^/]+)\/devices$/.exec(path))) {
      if (!this.sites.some((s) => s.id === m?.[1])) return this.notFound(res, method, '/v1/sites/{siteId}/devices');
      return this.json(res, method, '/v1/sites/{siteId}/devices', 200, { devices: this.devices.filter((d) => d.siteId === m?.[1]) });
    }
    if (method === 'GET' && (m = /^\/v1\/bundles\/([^/]+)$/.exec(path))) return this.bundle(req, res, m[1] ?? '');
    if (method === 'POST' && path === '/v1/results/batch') return this.upload(req, res, 'result', '/v1/results/batch', body);
    if (method === 'POST' && path === '/v1/audit-events/batch') return this.upload(req, res, 'audit', '/v1/audit-events/batch', body);
    return this.json(res, method, path, 404, { error: 'not-found', message: 'No such endpoint.' });
  }

  private async upload(req: IncomingMessage, res: ServerResponse, kind: string, route: string, body: unknown): Promise<void> {
    this.uploadRequests++;
    this.onUpload?.(this.uploadRequests);
    if (this.down) return void req.socket.destroy();
    const items = (body as { items?: { idempotencyKey: string; payload: unknown }[] } | undefined)?.items;
    if (!Array.isArray(items) || items.length === 0) return this.json(res, 'POST', route, 400, { error: 'bad-batch', message: 'items missing' }, body);
    const fault = this.pickFault();
    if (fault === 'error500') return this.json(res, 'POST', route, 500, { error: 'internal', message: 'Injected failure.' }, body);
    if (fault === 'hang') return; // never answer
    type Ack = { idempotencyKey: string; status: 'accepted' | 'duplicate' | 'rejected'; error?: string };
    const commit = (): Ack[] =>
      items.map((it): Ack => {
        this.deliveries.set(it.idempotencyKey, (this.deliveries.get(it.idempotencyKey) ?? 0) + 1);
        if (this.rejectKeys.has(it.idempotencyKey)) return { idempotencyKey: it.idempotencyKey, status: 'rejected', error: 'Unknown device.' };
        if (this.committed.has(it.idempotencyKey)) return { idempotencyKey: it.idempotencyKey, status: 'duplicate' };
        this.committed.set(it.idempotencyKey, { kind, payload: it.payload });
        this.effects++;
        return { idempotencyKey: it.idempotencyKey, status: 'accepted' };
      });
    let acks = commit();
    if (fault === 'dropAfterCommit') return void req.socket.destroy();
    if (fault === 'duplicate') acks = commit();
    if (fault === 'slow') await new Promise((r) => setTimeout(r, this.faults.slowMs));
    this.json(res, 'POST', route, 200, { items: acks }, body);
  }

  private bundle(req: IncomingMessage, res: ServerResponse, id: string): void {
    const route = '/v1/bundles/{bundleId}';
    const bytes = this.opts.bundles?.get(id);
    if (!bytes) return this.notFound(res, 'GET', route);
    const etag = `"${sha256(bytes).slice(0, 16)}"`;
    const range = req.headers.range;
    this.rangeRequests.push(range);
    let start = 0;
    let status = 200;
    const headers: Record<string, string | number> = { etag, 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream' };
    const r = range ? /^bytes=(\d+)-$/.exec(range) : null;
    if (r && (req.headers['if-range'] === undefined || req.headers['if-range'] === etag)) {
      start = Number(r[1]);
      if (start >= bytes.length) {
        this.record('GET', route, 416, { 'content-range': `bytes */${bytes.length}` });
        res.writeHead(416, { 'content-range': `bytes */${bytes.length}` }).end();
        return;
      }
      status = 206;
      headers['content-range'] = `bytes ${start}-${bytes.length - 1}/${bytes.length}`;
    }
    headers['content-length'] = bytes.length - start;
    this.record('GET', route, status, headers);
    res.writeHead(status, headers);
    const cut = this.cutNextBundleAt;
    if (cut !== null && cut > start) {
      this.cutNextBundleAt = null;
      res.write(bytes.subarray(start, cut), () => setTimeout(() => req.socket.destroy(), 20));
      return;
    }
    res.end(bytes.subarray(start));
  }

  private systemVersions(): { version: string; bundle: { id: string; size: number; sha256: string } }[] {
    return [...(this.opts.bundles ?? new Map<string, Uint8Array>())].map(([id, b], i) => ({
      version: `2.${i}.0`,
      bundle: { id, size: b.length, sha256: sha256(b) },
    }));
  }

  private pickFault(): keyof TestCloud['faultsFired'] | null {
    let x = this.opts.rng();
    for (const f of ['error500', 'hang', 'dropAfterCommit', 'duplicate', 'slow'] as const) {
      if (x < this.faults[f]) {
        this.faultsFired[f]++;
        return f;
      }
      x -= this.faults[f];
    }
    return null;
  }

  private notFound(res: ServerResponse, method: string, route: string): void {
    this.json(res, method, route, 404, { error: 'not-found', message: 'Not found.' });
  }

  private json(res: ServerResponse, method: string, route: string, status: number, body: unknown, requestBody?: unknown): void {
    const text = JSON.stringify(body);
    this.record(method, route, status, {}, body, requestBody);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
  }

  private record(method: string, route: string, status: number, headers: Exchange['headers'], responseBody?: unknown, requestBody?: unknown): void {
    if (this.opts.record === false) return;
    this.exchanges.push({ method, route, status, headers, responseBody, requestBody });
  }
}

export const PROJECTS = [{ id: 'p-north', name: 'North Water Board' }];
export const SITES = [
  { id: 's-pump-7', projectId: 'p-north', name: 'Pump station 7' },
  { id: 's-depot', projectId: 'p-north', name: 'Depot' },
];
export const DEVICES = [
  { id: 'd-001', siteId: 's-pump-7', name: 'Flow sensor 1', board: 'nrf52840dk', hwRev: 'B', targetVersion: '2.0.0' },
  { id: 'd-002', siteId: 's-pump-7', name: 'Level sensor', board: 'nrf52840dk', hwRev: null, targetVersion: null },
  { id: 'd-101', siteId: 's-depot', name: 'Gate', board: 'stm32l4', hwRev: 'A', targetVersion: '2.0.0' },
];

function routeOf(path: string): string {
  return path
    .replace(/^\/v1\/projects\/[^/]+/, '/v1/projects/{projectId}')
    .replace(/^\/v1\/sites\/[^/]+/, '/v1/sites/{siteId}')
    .replace(/^\/v1\/bundles\/[^/]+/, '/v1/bundles/{bundleId}');
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

export function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}
