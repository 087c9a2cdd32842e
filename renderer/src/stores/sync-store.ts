import { createStore } from 'zustand/vanilla';
import type { ErrorValue, SiteflashBridge, SyncStatus } from '../../../preload/api';

/** Whether the cloud is reachable and how many results wait to be uploaded. */
export interface SyncState {
  status: SyncStatus | null;
  error: ErrorValue | null;
  load(): Promise<void>;
  syncNow(): Promise<void>;
  /** Follows the core's `sync:status` events; returns the unsubscribe function. */
  watch(): () => void;
}

export function createSyncStore(bridge: () => SiteflashBridge) {
  return createStore<SyncState>()((set) => ({
    status: null,
    error: null,
    async load() {
      const result = await bridge().invoke('sync:status', {});
      set(result.ok ? { status: result.value, error: null } : { error: result.error });
    },
    async syncNow() {
      set({ error: null });
      const result = await bridge().invoke('sync:now', {});
      set(result.ok ? { status: result.value } : { error: result.error });
    },
    watch() {
      return bridge().on('sync:status', (status) => set({ status }));
    },
  }));
}
