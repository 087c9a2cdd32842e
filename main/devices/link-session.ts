import type { Link } from '../links/link';
import { SmpSession, type SessionOptions } from './session';

/**
 * Opens `link`, runs `body` over an SMP session on it, then disposes the session and closes the
 * link, whatever happened. The session is made after the open: a BLE link knows its write size
 * only once connected. For short exchanges (a CLI command, an identity query, an identify blink).
 */
export async function withLinkSession<T>(link: Link, body: (session: SmpSession) => Promise<T>, options: SessionOptions & { signal?: AbortSignal } = {}): Promise<T> {
  const { signal, ...sessionOptions } = options;
  await link.open(signal);
  const session = new SmpSession(link, sessionOptions);
  try {
    return await body(session);
  } finally {
    session.dispose();
    await link.close();
  }
}
