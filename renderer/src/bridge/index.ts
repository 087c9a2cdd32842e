import type { SiteflashBridge } from '../../../preload/api';
import { createWsBridge, SESSION_KEY } from './ws-bridge';

let bridge: SiteflashBridge | null = null;

/**
 * The bridge to the core: Electron's preload puts it on `window.siteflash`; in the browser host we
 * connect with the one-time launch code from the page's fragment (then drop it from the address
 * bar; the host answers with a session secret, kept in this tab's sessionStorage for reloads).
 * Only store actions call this.
 */
export function getBridge(): SiteflashBridge {
  if (bridge) return bridge;
  if (window.siteflash) return (bridge = window.siteflash);
  const code = new URLSearchParams(location.hash.slice(1)).get('code');
  const session = sessionStorage.getItem(SESSION_KEY);
  history.replaceState(null, '', location.pathname);
  if (code) return (bridge = createWsBridge(location.origin, { code }));
  if (session) return (bridge = createWsBridge(location.origin, { session }));
  throw new Error('No siteflash core to talk to: open the address siteflash printed.');
}
