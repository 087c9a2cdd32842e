import { createStore } from 'zustand/vanilla';
import type { ErrorValue, PortInfo, SiteflashBridge } from '../../../preload/api';

/** The serial ports the core reports, kept current by its `ports:added` / `ports:removed` events. */
export interface PortsState {
  ports: PortInfo[];
  loading: boolean;
  /** The last failure, for the technician to read. */
  error: ErrorValue | null;
  /** Ports that appeared in the last few seconds, to highlight them. */
  recent: string[];
  load(): Promise<void>;
  addByPath(path: string): Promise<boolean>;
  removeByPath(path: string): Promise<void>;
  /** Subscribes to the core's port events; returns the unsubscribe function. */
  watch(): () => void;
}

const byPath = (a: PortInfo, b: PortInfo) => a.path.localeCompare(b.path, undefined, { numeric: true });

export function createPortsStore(bridge: () => SiteflashBridge) {
  return createStore<PortsState>()((set, get) => ({
    ports: [],
    loading: false,
    error: null,
    recent: [],
    async load() {
      set({ loading: true });
      const result = await bridge().invoke('ports:list', {});
      if (result.ok) set({ ports: [...result.value].sort(byPath), loading: false, error: null });
      else set({ loading: false, error: result.error });
    },
    async addByPath(path) {
      const result = await bridge().invoke('ports:add-by-path', { path });
      set({ error: result.ok ? null : result.error });
      return result.ok;
    },
    async removeByPath(path) {
      const result = await bridge().invoke('ports:remove-by-path', { path });
      set({ error: result.ok ? null : result.error });
    },
    watch() {
      const offAdded = bridge().on('ports:added', (port) => {
        const others = get().ports.filter((p) => p.path !== port.path);
        set({ ports: [...others, port].sort(byPath), recent: [...get().recent, port.path] });
        setTimeout(() => set({ recent: get().recent.filter((p) => p !== port.path) }), 4000);
      });
      const offRemoved = bridge().on('ports:removed', (port) => {
        set({ ports: get().ports.filter((p) => p.path !== port.path) });
      });
      return () => {
        offAdded();
        offRemoved();
      };
    },
  }));
}
