import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../../main/core';
import { startBrowserHost, type BrowserHost } from '../../../main/host/server';
import { ask, closed, exchangeLaunchCode, launchCodeOf, openSocket } from './host-client';

/** A host with small limits, so that each one is reached quickly. */
let core: Core;
let host: BrowserHost;
let session: string;
const LIMITS = { maxMessageBytes: 64 * 1024, maxInFlight: 3, maxConnections: 4, maxBufferedBytes: 256 * 1024 };

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'siteflash-host-limits-'));
  const rendererDir = join(dataDir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>siteflash</title>');
  core = new Core({ dataDir, host: 'browser', logToFile: false, portLister: async () => [] });
  host = await startBrowserHost({ core, rendererDir, limits: LIMITS });
  session = await exchangeLaunchCode(host.origin, launchCodeOf(host.url));
});
afterAll(async () => {
  await host.close();
  await core.close();
});

const open = () => openSocket(host.origin, `?session=${session}`);

/** The host still serves: a fresh client gets an answer. */
async function stillServes(): Promise<void> {
  const ws = await open();
  expect(await ask(ws, 1, 'app:get-info')).toMatchObject({ ok: true, value: { host: 'browser' } });
  ws.close();
  await closed(ws);
}

describe('browser host limits', () => {
  it('closes only the client that sends invalid UTF-8 (1007)', async () => {
    const ws = await open();
    ws.on('error', () => undefined);
    const code = closed(ws);
    // A text frame whose payload is not UTF-8 (0xff never occurs in UTF-8).
    (ws as unknown as { _sender: { sendFrame(list: Buffer[]): void } })._sender.sendFrame([Buffer.from([0x81, 0x82, 0, 0, 0, 0, 0xff, 0xfe])]);
    expect(await code).toBe(1007);
    await stillServes();
  });

  it('closes only the client whose message is over the limit (1009)', async () => {
    const ws = await open();
    ws.on('error', () => undefined);
    const code = closed(ws);
    ws.send('x'.repeat(LIMITS.maxMessageBytes + 1));
    expect(await code).toBe(1009);
    await stillServes();
  });

  it('works on at most maxInFlight requests of one connection at a time, and answers every one in the end', async () => {
    const realInvoke = core.invoke.bind(core);
    let running = 0;
    let most = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    core.invoke = (async (channel: Parameters<Core['invoke']>[0], args: unknown) => {
      running++;
      most = Math.max(most, running);
      await gate;
      running--;
      return realInvoke(channel, args);
    }) as Core['invoke'];
    try {
      const ws = await open();
      const answers = Array.from({ length: 12 }, (_, i) => ask(ws, i + 1, 'app:get-info'));
      await expect.poll(() => running, { timeout: 10_000 }).toBe(LIMITS.maxInFlight);
      // Give the host time to start more if it would.
      await new Promise((r) => setTimeout(r, 300));
      expect(running).toBe(LIMITS.maxInFlight);
      release();
      const results = await Promise.all(answers);
      expect(results.every((r) => r.ok)).toBe(true);
      expect(most).toBe(LIMITS.maxInFlight);
      ws.close();
    } finally {
      core.invoke = realInvoke;
    }
  });

  it('refuses connections over the cap with 503 and takes them again once one closes', async () => {
    const sockets = await Promise.all(Array.from({ length: LIMITS.maxConnections }, () => open()));
    await expect(open()).rejects.toThrow('HTTP 503');
    sockets[0]!.close();
    await closed(sockets[0]!);
    await expect.poll(async () => open().then((ws) => (ws.close(), true), () => false), { timeout: 10_000 }).toBe(true);
    for (const ws of sockets) ws.close();
    await Promise.all(sockets.map(closed));
  });

  it('drops a client that leaves answers and events unread past maxBufferedBytes, and keeps serving the others', async () => {
    const lazy = await open();
    lazy.on('error', () => undefined);
    let events = 0;
    lazy.on('message', () => events++);
    // Stop reading from the socket: the host's events pile up on its side once the OS buffers are full.
    const raw = (lazy as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    raw.pause();
    const busy = await open();
    const line = 'z'.repeat(9000);
    const sent = 3000; // 27 MB of log events for every client: far beyond loopback buffers plus the bound.
    // Every log line is an event for every client, the lazy one too.
    for (let i = 1; i <= sent; i++) expect(await ask(busy, i, 'log:write', { level: 'info', message: line })).toMatchObject({ ok: true });
    raw.resume();
    const code = await Promise.race([closed(lazy), new Promise<string>((r) => setTimeout(() => r('still open'), 15_000))]);
    expect(code).toBe(1006);
    expect(events).toBeLessThan(sent);
    expect(await ask(busy, 100_000, 'app:get-info')).toMatchObject({ ok: true });
    busy.close();
  }, 60_000);

  it('does not die on a connection that is reset mid-handshake', async () => {
    const { connect } = await import('node:net');
    const url = new URL(host.origin);
    await new Promise<void>((resolve) => {
      const s = connect(Number(url.port), '127.0.0.1', () => {
        s.write(`GET /api?session=${session} HTTP/1.1\r\nHost: ${url.host}\r\nOrigin: ${host.origin}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n`);
        s.resetAndDestroy();
        resolve();
      });
    });
    await stillServes();
  });
});
