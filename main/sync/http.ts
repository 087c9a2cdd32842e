import { ZodError } from 'zod';
import { SyncError } from './sync-error';

/** The fetch function the connector uses; tests and the app inject their own. */
export type FetchFn = typeof fetch;

/** How to reach the cloud. */
export interface CloudEndpoint {
  /** Base URL, e.g. `https://cloud.example.com`; paths like `/v1/health` are appended. */
  baseUrl: string;
  fetch: FetchFn;
  /** The bearer token, read when needed (from the keychain); null when not signed in. */
  token: () => Promise<string | null>;
  /** Makes a signal that aborts after `ms`; defaults to `AbortSignal.timeout`. */
  timeoutSignal?: (ms: number) => AbortSignal;
}

/** A request body that is already JSON text, sent as-is. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** Options of one request. */
export interface RequestOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  headers?: Record<string, string>;
  /** Give up after this long without a response (headers). */
  timeoutMs: number;
  auth?: boolean;
  signal?: AbortSignal;
}

/**
 * Sends one request and returns the response once its headers arrived, mapping every failure to a
 * {@link SyncError}: no answer → `offline`, 5xx → `server-unavailable`, 401/403 → `unauthorized`,
 * 404 → `not-found`. Other non-2xx statuses (206, 416 …) are returned for the caller to judge.
 */
export async function cloudRequest(ep: CloudEndpoint, path: string, opts: RequestOptions): Promise<Response> {
  // Checked before the token is even read: it must never travel in clear text.
  const url = secureCloudUrl(path, ep.baseUrl);
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (opts.auth !== false) {
    const token = await ep.token();
    if (!token) throw new SyncError('unauthorized', 'Not signed in to the cloud. Sign in with your access token.');
    headers.authorization = `Bearer ${token}`;
  }
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const timeout = (ep.timeoutSignal ?? AbortSignal.timeout)(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await ep.fetch(url, {
      method: opts.method ?? 'GET',
      headers,
      body: opts.body === undefined ? undefined : opts.body instanceof RawJson ? opts.body.text : JSON.stringify(opts.body),
      signal,
    });
  } catch (err) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    const why = timeout.aborted ? `no answer within ${Math.round(opts.timeoutMs / 1000)} s` : describe(err);
    throw new SyncError('offline', `Cannot reach the cloud at ${url.host} (${why}).`);
  }
  if (res.status >= 500) {
    await res.body?.cancel();
    throw new SyncError('server-unavailable', `The cloud at ${url.host} is having trouble (HTTP ${res.status}); siteflash will retry.`);
  }
  if (res.status === 401 || res.status === 403) {
    await res.body?.cancel();
    throw new SyncError('unauthorized', 'The cloud refused the access token. Sign in again with a valid token.');
  }
  if (res.status === 404) {
    await res.body?.cancel();
    throw new SyncError('not-found', `The cloud has no ${url.pathname} for this account.`);
  }
  return res;
}

/** Reads a JSON body and checks it with `parse`; a body that does not fit is `bad-response`. */
export async function readJson<T>(res: Response, parse: (v: unknown) => T, what: string): Promise<T> {
  let body: unknown;
  try {
    body = await res.json();
  } catch (err) {
    throw new SyncError('offline', `The answer for ${what} was cut off (${describe(err)}).`);
  }
  try {
    return parse(body);
  } catch (err) {
    // Which field was refused, so that the office can fix the catalog (zod names the path).
    const refused = err instanceof ZodError ? err.issues : [];
    const which = refused.slice(0, 3).map((i) => `${i.path.join('.') || 'answer'}: ${i.message}`).join('; ');
    throw new SyncError('bad-response', `The cloud's answer for ${what} is not what siteflash expects${which ? ` (${which})` : ''}. Report this to support.`);
  }
}

function describe(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  if (cause && typeof cause === 'object' && 'code' in cause && typeof cause.code === 'string') return cause.code;
  return cause instanceof Error ? cause.message : String(cause);
}

/** Host names that never leave this machine: plain http to them is allowed (a local test server). */
function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * The URL of `path` on the cloud at `baseUrl`, when it is safe to send a token there: https, or
 * plain http to a loopback address (127.0.0.0/8, ::1, localhost). Anything else is refused with
 * a `insecure-url` {@link SyncError} before a byte is sent.
 */
export function secureCloudUrl(path: string, baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(path, baseUrl);
  } catch {
    throw new SyncError('insecure-url', `The cloud URL "${baseUrl}" is not a valid URL. Set an https:// address in the settings.`);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  throw new SyncError(
    'insecure-url',
    `The cloud URL ${url.origin} is not https://; siteflash sends the access token only over https (plain http only to this computer). Change the cloud URL to https://${url.host}.`,
  );
}
