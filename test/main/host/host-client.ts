import WebSocket from 'ws';

/** The one-time launch code in a host's address (`…/#code=…`). */
export function launchCodeOf(url: string): string {
  return new URLSearchParams(new URL(url).hash.slice(1)).get('code') ?? '';
}

/** Connects with the launch code from our own origin and resolves with the session secret the host sends first. */
export function exchangeLaunchCode(origin: string, code: string): Promise<string> {
  return new Promise((resolveSecret, reject) => {
    const ws = new WebSocket(`${origin.replace(/^http/, 'ws')}/api?code=${encodeURIComponent(code)}`, { origin });
    ws.once('unexpected-response', (_req, res) => reject(new Error(`launch code refused: HTTP ${res.statusCode}`)));
    ws.once('error', reject);
    ws.on('message', (data: WebSocket.RawData) => {
      const msg = JSON.parse(data.toString()) as { type: string; secret?: string };
      if (msg.type !== 'session' || !msg.secret) return;
      ws.close();
      resolveSecret(msg.secret);
    });
  });
}

/** Opens a socket with the session secret (or raw `query`) and resolves once open; rejects with `HTTP <status>` on a refusal. */
export function openSocket(origin: string, query: string, fromOrigin: string | null = origin): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${origin.replace(/^http/, 'ws')}/api${query}`, fromOrigin ? { origin: fromOrigin } : {});
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** Sends one request and resolves with its result (events and other answers are skipped). */
export function ask(ws: WebSocket, id: number, channel: string, args: unknown = {}): Promise<{ ok: boolean; value?: unknown; error?: { kind: string; message: string } }> {
  return new Promise((resolve, reject) => {
    const onMessage = (data: WebSocket.RawData) => {
      const msg = JSON.parse(data.toString()) as { type: string; id?: number; result?: { ok: boolean } };
      if (msg.type !== 'result' || msg.id !== id) return;
      ws.off('message', onMessage);
      ws.off('close', onClose);
      resolve(msg.result!);
    };
    const onClose = (code: number) => reject(new Error(`socket closed (${code}) before answer ${id}`));
    ws.on('message', onMessage);
    ws.once('close', onClose);
    ws.send(JSON.stringify({ type: 'invoke', id, channel, args }));
  });
}

/** Resolves with the close code once the socket is closed. */
export function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    if (ws.readyState === ws.CLOSED) return resolve(1006);
    ws.once('close', (code) => resolve(code));
  });
}
