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
  /** The last "add a device by address" that failed (bad or silent address), for the form. */
  addressError: ErrorValue | null;
  adding: boolean;
  /** Adds a device on the network by address once it answered; true when it was added. */
  addAddress(address: string): Promise<boolean>;
  /** Forgets a device added by address (`udp:HOST:PORT`, as listed). */
  forgetAddress(address: string): Promise<void>;
}

export function createDevicesStore(bridge: () => SiteflashBridge) {
  return createStore<DevicesState>()((set, get) => ({
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
    addressError: null,
    adding: false,
    async addAddress(address) {
      set({ adding: true, addressError: null });
      const result = await bridge().invoke('devices:add-address', { address });
      if (!result.ok) {
        set({ adding: false, addressError: result.error });
        return false;
      }
      const others = get().devices.filter((d) => !(d.link === result.value.link && d.address === result.value.address));
      set({ adding: false, devices: [...others, result.value], searchedAt: get().searchedAt ?? new Date().toISOString() });
      return true;
    },
    async forgetAddress(address) {
      const result = await bridge().invoke('devices:remove-address', { address });
      if (!result.ok) return set({ addressError: result.error });
      set({ addressError: null, devices: get().devices.filter((d) => !(d.link === 'udp' && d.address === address)) });
    },
  }));
}
