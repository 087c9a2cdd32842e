import type { ArgsOf, Channel, EventName, Events, Result, ResultOf, SiteflashBridge } from '../../../preload/api';
import { API_PATH, encodeBinaryInvoke, type ClientMessage, type ServerMessage } from '../../../preload/host-protocol';

type Pending = (result: Result<unknown>) => void;

/** Where this tab keeps the session secret the host gave for the launch code (survives a reload, not the tab). */
export const SESSION_KEY = 'siteflash-session';

/**
 * Set just before the page reloads itself because the host dropped its connection while the host
 * itself kept running (it drops a page that leaves too much unread): the screen to come back to.
 */
export const RECONNECT_KEY = 'siteflash-reconnected';
/** Times of those reloads in this tab, so that a host that keeps dropping the page is not reloaded in a loop. */
const RELOADS_KEY = 'siteflash-reconnect-reloads';
/** Fired on `window` just before such a reload, so that the app can note where it was (see {@link RECONNECT_KEY}). */
export const RECONNECT_EVENT = 'siteflash:reconnect';

/** How the socket proves it may talk to the host: the unused launch code, or the session secret. */
export type HostCredential = { code: string } | { session: string };

/**
 * `window.siteflash` for the browser host: the same bridge as Electron's preload, over the host's
 * WebSocket. The host's first message on a launch-code connection is the session secret, kept
 * for reloads. Requests made before the socket opens wait for it; if the socket closes, pending
 * requests resolve to a `host-gone` error value (never a rejection). If the host is still there
 * (it dropped this page, or the link blinked), the page reloads with its session secret and the
 * app shows the core's state again; the core never depended on the page.
 */
export function createWsBridge(origin: string, credential: HostCredential): SiteflashBridge {
  const query = 'code' in credential ? `code=${encodeURIComponent(credential.code)}` : `session=${encodeURIComponent(credential.session)}`;
  const url = `${origin.replace(/^http/, 'ws')}${API_PATH}?${query}`;
  const socket = new WebSocket(url);
  const pending = new Map<number, Pending>();
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  let nextId = 1;
  const opened = new Promise<boolean>((resolve) => {
    socket.addEventListener('open', () => resolve(true), { once: true });
    socket.addEventListener('close', () => resolve(false), { once: true });
  });

  socket.addEventListener('message', (ev: MessageEvent<string>) => {
    const msg = JSON.parse(ev.data) as ServerMessage;
    if (msg.type === 'session') {
      sessionStorage.setItem(SESSION_KEY, msg.secret);
    } else if (msg.type === 'result') {
      if (msg.id === null) return;
      pending.get(msg.id)?.(msg.result);
      pending.delete(msg.id);
    } else {
      listeners.get(msg.event)?.forEach((fn) => fn(msg.payload));
    }
  });
  let leaving = false;
  addEventListener('pagehide', () => (leaving = true));
  socket.addEventListener('close', () => {
    const gone: Result<never> = { ok: false, error: { kind: 'host-gone', message: 'The siteflash core stopped. Restart siteflash.', userFault: true } };
    pending.forEach((resolve) => resolve(gone));
    pending.clear();
    if (!leaving) void reloadWhenHostAnswers(origin);
  });

  return {
    async invoke<C extends Channel>(channel: C, args: ArgsOf<C>): Promise<Result<ResultOf<C>>> {
      if (!(await opened) || socket.readyState !== WebSocket.OPEN) {
        return { ok: false, error: { kind: 'host-gone', message: 'Cannot reach the siteflash core. Restart siteflash.', userFault: true } };
      }
      const id = nextId++;
      const message: ClientMessage = { type: 'invoke', id, channel, args };
      return new Promise((resolve) => {
        pending.set(id, resolve as Pending);
        const data = (args as { data?: unknown } | null)?.data;
        socket.send(data instanceof Uint8Array ? encodeBinaryInvoke(message, data) : JSON.stringify(message));
      });
    },
    on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      const fn = listener as (payload: unknown) => void;
      set.add(fn);
      return () => set.delete(fn);
    },
  };
}

/** Opens a socket with the tab's session secret and closes it again: does the host still take this page? */
function hostTakes(origin: string, session: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = new WebSocket(`${origin.replace(/^http/, 'ws')}${API_PATH}?session=${encodeURIComponent(session)}`);
    probe.addEventListener('open', () => (probe.close(), resolve(true)), { once: true });
    probe.addEventListener('close', () => resolve(false), { once: true });
  });
}

/**
 * After the socket closed: asks the host again for a while (about half a minute); when it takes
 * the session, the page reloads and comes back to the same screen. A host that has stopped never
 * answers, and the page keeps saying so. At most 3 such reloads a minute.
 */
async function reloadWhenHostAnswers(origin: string): Promise<void> {
  const session = sessionStorage.getItem(SESSION_KEY);
  if (!session) return;
  const recent = (JSON.parse(sessionStorage.getItem(RELOADS_KEY) ?? '[]') as number[]).filter((t) => Date.now() - t < 60_000);
  if (recent.length >= 3) return;
  for (let attempt = 1; attempt <= 10; attempt++) {
    await new Promise((r) => setTimeout(r, 500 * attempt));
    if (await hostTakes(origin, session)) {
      sessionStorage.setItem(RELOADS_KEY, JSON.stringify([...recent, Date.now()]));
      dispatchEvent(new Event(RECONNECT_EVENT));
      location.reload();
      return;
    }
  }
}
