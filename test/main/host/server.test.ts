import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { encodeBinaryInvoke, type ServerMessage } from '../../../preload/host-protocol';
import { Core } from '../../../main/core';
import { startBrowserHost, type BrowserHost } from '../../../main/host/server';
import { exchangeLaunchCode, launchCodeOf } from './host-client';

const launchCode = (h: BrowserHost) => launchCodeOf(h.url);

let core: Core;
let host: BrowserHost;
/** The session secret this file's host issued for its launch code. */
let session: string;

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'siteflash-host-'));
  const rendererDir = join(dataDir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>siteflash</title>');
  core = new Core({ dataDir, host: 'browser', logToFile: false, portLister: async () => [{ path: '/dev/ttyACM7', vendorId: '2fe3', productId: '0100', source: 'os' }] });
  host = await startBrowserHost({ core, rendererDir });
  session = await exchangeLaunchCode(host.origin, launchCode(host));
});
afterAll(async () => {
  await host.close();
  await core.close();
});

/** Opens a socket and resolves with it once open, or rejects with the HTTP status of the refusal. */
function connect(query: string, origin: string | null = host.origin): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${host.origin.replace('http', 'ws')}/api${query}`, origin ? { origin } : {});
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** The next `result` message (events such as log lines may arrive in between). */
function nextMessage(ws: WebSocket): Promise<ServerMessage> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const msg = JSON.parse(data.toString()) as ServerMessage;
      if (msg.type !== 'result') return;
      ws.off('message', onMessage);
      resolve(msg);
    };
    ws.on('message', onMessage);
  });
}

describe('browser host', () => {
  it('refuses a WebSocket without a launch code or session secret', async () => {
    await expect(connect('')).rejects.toThrow('HTTP 401');
  });

  it('refuses a WebSocket with a wrong session secret', async () => {
    await expect(connect(`?session=${'x'.repeat(session.length)}`)).rejects.toThrow('HTTP 401');
  });

  it('refuses the launch code once it was exchanged, and a wrong one', async () => {
    await expect(connect(`?code=${launchCode(host)}`)).rejects.toThrow('HTTP 401');
    await expect(connect(`?code=${'y'.repeat(32)}`)).rejects.toThrow('HTTP 401');
  });

  it('refuses a WebSocket from another origin even with the session secret', async () => {
    await expect(connect(`?session=${session}`, 'http://evil.example')).rejects.toThrow('HTTP 403');
    await expect(connect(`?session=${session}`, null)).rejects.toThrow('HTTP 403');
  });

  it('answers a request with the session secret from its own origin', async () => {
    const ws = await connect(`?session=${session}`);
    const reply = nextMessage(ws);
    ws.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'ports:list', args: {} }));
    expect(await reply).toEqual({ type: 'result', id: 1, result: { ok: true, value: [{ path: '/dev/ttyACM7', vendorId: '2fe3', productId: '0100', source: 'os' }] } });
    ws.close();
  });

  it('answers malformed JSON with a typed error and keeps serving', async () => {
    const ws = await connect(`?session=${session}`);
    let reply = nextMessage(ws);
    ws.send('{not json');
    expect(await reply).toMatchObject({ type: 'result', id: null, result: { ok: false, error: { kind: 'bad-message' } } });
    reply = nextMessage(ws);
    ws.send(JSON.stringify({ type: 'invoke', id: 2, channel: 'app:get-info', args: {} }));
    expect(await reply).toMatchObject({ id: 2, result: { ok: true, value: { host: 'browser' } } });
    ws.close();
  });

  it('answers bad arguments and unknown channels with typed errors', async () => {
    const ws = await connect(`?session=${session}`);
    let reply = nextMessage(ws);
    ws.send(JSON.stringify({ type: 'invoke', id: 3, channel: 'ports:add-by-path', args: { path: 42 } }));
    expect(await reply).toMatchObject({ id: 3, result: { ok: false, error: { kind: 'bad-request' } } });
    reply = nextMessage(ws);
    ws.send(JSON.stringify({ type: 'invoke', id: 4, channel: 'flash:everything', args: {} }));
    expect(await reply).toMatchObject({ id: 4, result: { ok: false, error: { kind: 'unknown-channel' } } });
    reply = nextMessage(ws);
    ws.send(JSON.stringify({ type: 'invoke', id: 5, channel: '__proto__', args: {} }));
    expect(await reply).toMatchObject({ id: 5, result: { ok: false, error: { kind: 'unknown-channel' } } });
    ws.close();
  });

  it('carries a request with bytes as one binary message, and answers a malformed one with a typed error', async () => {
    const ws = await connect(`?session=${session}`);
    let reply = nextMessage(ws);
    ws.send(JSON.stringify({ type: 'invoke', id: 10, channel: 'upload:begin', args: { fileName: 'x.bin', size: 5 } }));
    const begun = (await reply) as { result: { ok: true; value: { uploadId: string } } };
    const uploadId = begun.result.value.uploadId;
    reply = nextMessage(ws);
    const data = new Uint8Array([1, 2, 3]);
    ws.send(encodeBinaryInvoke({ type: 'invoke', id: 11, channel: 'upload:chunk', args: { uploadId, seq: 0, data } }, data));
    expect(await reply).toEqual({ type: 'result', id: 11, result: { ok: true, value: { received: 3 } } });
    reply = nextMessage(ws);
    ws.send(Buffer.from([0, 0, 0, 200, 1, 2]));
    expect(await reply).toMatchObject({ id: null, result: { ok: false, error: { kind: 'bad-message' } } });
    reply = nextMessage(ws);
    // Bytes in a text message are not bytes: the schema refuses them.
    ws.send(JSON.stringify({ type: 'invoke', id: 12, channel: 'upload:chunk', args: { uploadId, seq: 1, data: { 0: 4, 1: 5 } } }));
    expect(await reply).toMatchObject({ id: 12, result: { ok: false, error: { kind: 'bad-request' } } });
    ws.close();
  });

  it('drops the uploads a connection began and did not finish when it closes', async () => {
    const ws = await connect(`?session=${session}`);
    const reply = nextMessage(ws);
    ws.send(JSON.stringify({ type: 'invoke', id: 20, channel: 'upload:begin', args: { fileName: 'half.tar', size: 1000 } }));
    expect(await reply).toMatchObject({ id: 20, result: { ok: true } });
    const open = core.uploads.open;
    expect(open).toBeGreaterThan(0);
    ws.close();
    await expect.poll(() => core.uploads.open, { timeout: 10_000 }).toBe(open - 1);
  });

  it('serves the renderer with a CSP and refuses paths outside it', async () => {
    const page = await fetch(`${host.origin}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const escape = await fetch(`${host.origin}/..%2f..%2fetc/passwd`);
    expect([403, 404]).toContain(escape.status);
  });
});
