import { createStore } from 'zustand/vanilla';
import type { AppInfo, ErrorValue, SiteflashBridge } from '../../../preload/api';

/** Facts about the core the renderer talks to, and whether it can talk to it at all. */
export interface AppState {
  info: AppInfo | null;
  error: ErrorValue | null;
  load(): Promise<void>;
}

export function createAppStore(bridge: () => SiteflashBridge) {
  return createStore<AppState>()((set) => ({
    info: null,
    error: null,
    async load() {
      try {
        const result = await bridge().invoke('app:get-info', {});
        set(result.ok ? { info: result.value, error: null } : { error: result.error });
      } catch (err) {
        set({ error: { kind: 'no-core', message: err instanceof Error ? err.message : String(err), userFault: true } });
      }
    },
  }));
}
