import { createStore } from 'zustand/vanilla';
import type { ErrorValue, SiteflashBridge, SyncStatus, VisitPreparation } from '../../../preload/api';

/** Whether the cloud is reachable, how many results wait to be uploaded, and the last visit preparation. */
export interface SyncState {
  status: SyncStatus | null;
  error: ErrorValue | null;
  /** What the last "Prepare for a visit" brought, this session. */
  preparation: VisitPreparation | null;
  preparing: boolean;
  /** The core refused the preparation request itself (the preparation's own `error` is in `preparation`). */
  prepareError: ErrorValue | null;
  load(): Promise<void>;
  syncNow(): Promise<void>;
  /** Pulls the sites' catalogs and the bundles their devices need (`sync:prepare`); true when the core answered. */
  prepare(siteIds: string[]): Promise<boolean>;
  /** Follows the core's `sync:status` events; returns the unsubscribe function. */
  watch(): () => void;
}

export function createSyncStore(bridge: () => SiteflashBridge) {
  return createStore<SyncState>()((set) => ({
    status: null,
    error: null,
    preparation: null,
    preparing: false,
    prepareError: null,
    async load() {
      const result = await bridge().invoke('sync:status', {});
      set(result.ok ? { status: result.value, error: null } : { error: result.error });
    },
    async syncNow() {
      set({ error: null });
      const result = await bridge().invoke('sync:now', {});
      set(result.ok ? { status: result.value } : { error: result.error });
    },
    async prepare(siteIds) {
      set({ preparing: true, prepareError: null });
      const result = await bridge().invoke('sync:prepare', { siteIds });
      set(result.ok ? { preparing: false, preparation: result.value } : { preparing: false, prepareError: result.error });
      return result.ok;
    },
    watch() {
      return bridge().on('sync:status', (status) => set({ status }));
    },
  }));
}
