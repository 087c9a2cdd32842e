import { createStore } from 'zustand/vanilla';
import type { ErrorValue, GatewayInfo, SiteflashBridge } from '../../../preload/api';

/** The gateway the laptop talks to, as the core reports it. */
export interface GatewayState {
  info: GatewayInfo | null;
  connecting: boolean;
  error: ErrorValue | null;
  load(): Promise<void>;
  connect(path: string): Promise<void>;
  disconnect(): Promise<void>;
  /** Follows `gateway:changed`; returns the unsubscribe function. */
  watch(): () => void;
}

export function createGatewayStore(bridge: () => SiteflashBridge) {
  return createStore<GatewayState>()((set) => ({
    info: null,
    connecting: false,
    error: null,
    async load() {
      const result = await bridge().invoke('gateway:status', {});
      set(result.ok ? { info: result.value, error: null } : { error: result.error });
    },
    async connect(path) {
      set({ connecting: true, error: null });
      const result = await bridge().invoke('gateway:connect', { path });
      set(result.ok ? { info: result.value, connecting: false } : { error: result.error, connecting: false });
    },
    async disconnect() {
      const result = await bridge().invoke('gateway:disconnect', {});
      set(result.ok ? { info: result.value, error: null } : { error: result.error });
    },
    watch() {
      return bridge().on('gateway:changed', (info) => set({ info }));
    },
  }));
}
