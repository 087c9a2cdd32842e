import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { ask, closed, openSocket } from '../main/host/host-client';
import { startApp, type RunningApp } from './harness';
import { mb, rssBytes, sampleRss } from './proc';

/**
 * A hostile program on the same laptop that holds a valid session secret, against the real
 * browser host process (`out/main/start.js`): each attack must end at most its own connection.
 */
describe('the browser host against a hostile client', () => {
  let app: RunningApp;
  let before = 0;
  let rss: ReturnType<typeof sampleRss>;
  const open = () => openSocket(app.origin, `?session=${app.session}`);

  beforeAll(async () => {
    app = await startApp();
    const ws = await open();
    expect(await ask(ws, 1, 'app:get-info')).toMatchObject({ ok: true });
    ws.close();
    await closed(ws);
    before = rssBytes(app.process.pid!);
    rss = sampleRss(app.process.pid!);
  });
  afterAll(async () => {
    rss?.stop();
    await app?.stop();
  });

  /** A fresh client with the session secret gets an answer, and the host process is still the same one. */
  async function hostAnswers(): Promise<void> {
    expect(app.process.exitCode).toBeNull();
    const ws = await open();
    expect(await ask(ws, 7, 'app:get-info')).toMatchObject({ ok: true, value: { host: 'browser' } });
    ws.close();
    await closed(ws);
  }

  it('an invalid UTF-8 text frame closes that client (1007) only', async () => {
    const ws = await open();
    ws.on('error', () => undefined);
    const code = closed(ws);
    (ws as unknown as { _sender: { sendFrame(list: Buffer[]): void } })._sender.sendFrame([Buffer.from([0x81, 0x84, 0, 0, 0, 0, 0xc3, 0x28, 0xff, 0xfe])]);
    expect(await code).toBe(1007);
    await hostAnswers();
  });

  it('a 100 MB frame closes that client only, without the host reading it into memory', async () => {
    const ws = await open();
    ws.on('error', () => undefined);
    const code = closed(ws);
    ws.send(Buffer.alloc(100 * 1000 * 1000, 0x41), { binary: false });
    expect([1009, 1006]).toContain(await code);
    await hostAnswers();
  }, 120_000);

  it('100 000 requests whose answers are never read do not grow the host without bound', async () => {
    const ws = await open();
    ws.on('error', () => undefined);
    const raw = (ws as unknown as { _socket: { pause(): void } })._socket;
    raw.pause();
    const request = (id: number) => JSON.stringify({ type: 'invoke', id, channel: 'app:get-info', args: {} });
    for (let id = 1; id <= 100_000; id++) ws.send(request(id));
    // Let the host take what it will.
    await new Promise((r) => setTimeout(r, 5000));
    await hostAnswers();
    ws.terminate();
    await closed(ws);
    await hostAnswers();
  }, 120_000);

  it('200 connections at once: the ones over the cap are refused, the host keeps serving', async () => {
    const outcomes = await Promise.allSettled(Array.from({ length: 200 }, () => open()));
    const opened = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [String(o.reason)] : []));
    console.log(`200 connections: ${opened.length} opened, ${refused.length} refused (${[...new Set(refused)].join(', ')})`);
    try {
      expect(opened.length).toBeGreaterThan(0);
      expect(opened.length).toBeLessThanOrEqual(16);
      // Refused with 503 by the WebSocket cap, or, past the HTTP server's connection cap, closed at once.
      expect(refused.filter((r) => !/HTTP 503|socket hang up|ECONNRESET/.test(r))).toEqual([]);
    } finally {
      for (const ws of opened) ws.close();
      await Promise.all(opened.map((ws: WebSocket) => closed(ws)));
    }
    await hostAnswers();
  }, 120_000);

  it('afterwards a fresh client is answered; the host grew by a bounded amount', async () => {
    await hostAnswers();
    const peak = rss.stop();
    const now = rssBytes(app.process.pid!);
    console.log(`hostile clients: host RSS ${mb(before)} before, peak ${mb(peak)} (growth ${mb(peak - before)}), ${mb(now)} after`);
    expect(peak - before).toBeLessThan(150e6);
  });
});
