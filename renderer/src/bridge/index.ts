import type { SiteflashBridge } from '../../../preload/api';
import { createWsBridge } from './ws-bridge';

let bridge: SiteflashBridge | null = null;

/**
 * The bridge to the core: Electron's preload puts it on `window.siteflash`; in the browser host we
 * make it from the token in the page's fragment, then drop the token from the address bar.
 * Only store actions call this.
 */
export function getBridge(): SiteflashBridge {
  if (bridge) return bridge;
  if (window.siteflash) return (bridge = window.siteflash);
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? sessionStorage.getItem('siteflash-token');
  if (!token) throw new Error('No siteflash core to talk to: open the address siteflash printed.');
  sessionStorage.setItem('siteflash-token', token);
  history.replaceState(null, '', location.pathname);
  return (bridge = createWsBridge(location.origin, token));
}
