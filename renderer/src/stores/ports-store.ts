import { createStore } from 'zustand/vanilla';
import type { ErrorValue, PortInfo, SiteflashBridge } from '../../../preload/api';
import { changeCounter } from './changes';

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
  return createStore<PortsState>()((set, get) => {
    // Listing the OS ports can take seconds: an add, a remove or a port event may land meanwhile.
    const changes = changeCounter();
    // Whether the error shown is the list's own: a list that comes back clears only that one, never
    // the refusal of a path the technician just typed.
    let listError = false;
    const acted = (error: ErrorValue | null) => {
      changes.changed();
      listError = false;
      set({ error });
    };
    return {
      ports: [],
      loading: false,
      error: null,
      recent: [],
      async load() {
        const mark = changes.mark();
        set({ loading: true });
        const result = await bridge().invoke('ports:list', {});
        if (changes.since(mark)) {
          set({ loading: false });
          if (result.ok) void get().load();
          return;
        }
        if (result.ok) set({ ports: [...result.value].sort(byPath), loading: false, ...(listError ? { error: null } : {}) });
        else set({ loading: false, error: result.error });
        listError = !result.ok;
      },
      async addByPath(path) {
        const result = await bridge().invoke('ports:add-by-path', { path });
        acted(result.ok ? null : result.error);
        return result.ok;
      },
      async removeByPath(path) {
        const result = await bridge().invoke('ports:remove-by-path', { path });
        acted(result.ok ? null : result.error);
      },
      watch() {
        const offAdded = bridge().on('ports:added', (port) => {
          changes.changed();
          const others = get().ports.filter((p) => p.path !== port.path);
          set({ ports: [...others, port].sort(byPath), recent: [...get().recent, port.path] });
          setTimeout(() => set({ recent: get().recent.filter((p) => p !== port.path) }), 4000);
        });
        const offRemoved = bridge().on('ports:removed', (port) => {
          changes.changed();
          set({ ports: get().ports.filter((p) => p.path !== port.path) });
        });
        return () => {
          offAdded();
          offRemoved();
        };
      },
    };
  });
}
