import { createStore } from 'zustand/vanilla';
import type { ErrorValue, GatewayInfo, SiteflashBridge } from '../../../preload/api';

/** The gateways the laptop talks to, as the core reports them. */
export interface GatewayState {
  /** The first gateway (or none, with why): what the Home screen shows. */
  info: GatewayInfo | null;
  /** Every connected gateway, in the order connected. */
  list: GatewayInfo[];
  connecting: boolean;
  error: ErrorValue | null;
  load(): Promise<void>;
  /** Connects a gateway on `path`, in addition to those already connected. */
  connect(path: string): Promise<void>;
  /** Disconnects one gateway by id, or all of them. */
  disconnect(id?: string): Promise<void>;
  /** Follows `gateway:changed` and `gateway:list-changed`; returns the unsubscribe function. */
  watch(): () => void;
}

export function createGatewayStore(bridge: () => SiteflashBridge) {
  return createStore<GatewayState>()((set) => ({
    info: null,
    list: [],
    connecting: false,
    error: null,
    async load() {
      const [result, list] = await Promise.all([bridge().invoke('gateway:status', {}), bridge().invoke('gateway:list', {})]);
      set(result.ok ? { info: result.value, error: null } : { error: result.error });
      if (list.ok) set({ list: list.value });
    },
    async connect(path) {
      set({ connecting: true, error: null });
      const result = await bridge().invoke('gateway:connect', { path });
      set(result.ok ? { connecting: false } : { error: result.error, connecting: false });
      const list = await bridge().invoke('gateway:list', {});
      if (list.ok) set({ list: list.value });
    },
    async disconnect(id) {
      const result = await bridge().invoke('gateway:disconnect', id ? { id } : {});
      set(result.ok ? { info: result.value, error: null } : { error: result.error });
    },
    watch() {
      const offs = [bridge().on('gateway:changed', (info) => set({ info })), bridge().on('gateway:list-changed', (list) => set({ list }))];
      return () => offs.forEach((off) => off());
    },
  }));
}
