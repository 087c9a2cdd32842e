import { createStore } from 'zustand/vanilla';
import type { DeviceProblem, DeviceSummary, ErrorValue, SiteflashBridge } from '../../../preload/api';

/** The one device list (serial, BLE, HID) from the last search, with what each device said. */
export interface DevicesState {
  devices: DeviceSummary[];
  problems: DeviceProblem[];
  searching: boolean;
  searchedAt: string | null;
  error: ErrorValue | null;
  /** Looks on every link kind and asks each device who it is. */
  search(): Promise<void>;
}

export function createDevicesStore(bridge: () => SiteflashBridge) {
  return createStore<DevicesState>()((set) => ({
    devices: [],
    problems: [],
    searching: false,
    searchedAt: null,
    error: null,
    async search() {
      set({ searching: true, error: null });
      const result = await bridge().invoke('devices:scan', { query: true });
      if (result.ok) set({ ...result.value, searching: false, searchedAt: new Date().toISOString() });
      else set({ searching: false, error: result.error });
    },
  }));
}
