import { createStore } from 'zustand/vanilla';
import type { DeviceActionResult, ErrorValue, JobTargetRequest, SiteflashBridge, SlotInfo } from '../../../preload/api';

/** The device details open on the Connect screen: one directly connected device's slots and the last action's outcome. */
export interface DeviceDetailsState {
  target: JobTargetRequest | null;
  /** Where the device is (path or address), for the heading. */
  address: string | null;
  slots: SlotInfo[];
  /** A request in flight (`read`, `erase`, `confirm`, `reset`); the buttons wait for it. */
  busy: string | null;
  /** What the last action did, as the core said it: done, or refused with what to do. */
  outcome: { done: boolean; message: string } | null;
  /** A request that could not reach the device (or a bad request). */
  error: ErrorValue | null;
  /** The slot the technician asked to erase and has not yet confirmed. */
  askErase: number | null;
  open(target: JobTargetRequest, address: string): Promise<void>;
  refresh(): Promise<void>;
  /** First step of an erase: asks the technician. */
  erase(slot: number): void;
  /** The technician said yes: erases the slot asked about. */
  eraseConfirmed(): Promise<void>;
  cancelErase(): void;
  /** Confirms the running image (no hash) or makes the image with `hash` permanent. */
  confirm(hash?: string): Promise<void>;
  reset(): Promise<void>;
  close(): void;
}

export function createDeviceDetailsStore(bridge: () => SiteflashBridge) {
  return createStore<DeviceDetailsState>()((set, get) => {
    /** Runs one request and keeps what it answered; the slots shown are always the device's latest list. */
    async function request(busy: string, call: (t: JobTargetRequest) => Promise<{ ok: true; value: DeviceActionResult } | { ok: false; error: ErrorValue }>, keepOutcome: boolean) {
      const target = get().target;
      if (!target) return;
      set({ busy, error: null, askErase: null, ...(keepOutcome ? {} : { outcome: null }) });
      const result = await call(target);
      if (get().target !== target) return;
      if (!result.ok) return set({ busy: null, error: result.error });
      const v = result.value;
      set({ busy: null, slots: v.slots, ...(v.message ? { outcome: { done: v.done, message: v.message } } : {}) });
    }
    return {
      target: null,
      address: null,
      slots: [],
      busy: null,
      outcome: null,
      error: null,
      askErase: null,
      async open(target, address) {
        set({ target, address, slots: [], outcome: null, error: null, askErase: null });
        await get().refresh();
      },
      refresh: () => request('read', (target) => bridge().invoke('device:image-state', { target }), true),
      erase(slot) {
        set({ askErase: slot, outcome: null });
      },
      async eraseConfirmed() {
        const slot = get().askErase;
        if (slot === null) return;
        await request('erase', (target) => bridge().invoke('device:image-erase', { target, slot }), false);
      },
      cancelErase() {
        set({ askErase: null });
      },
      confirm: (hash) => request('confirm', (target) => bridge().invoke('device:image-confirm', { target, ...(hash ? { hash } : {}) }), false),
      reset: () => request('reset', (target) => bridge().invoke('device:reset', { target }), false),
      close() {
        set({ target: null, address: null, slots: [], outcome: null, error: null, askErase: null, busy: null });
      },
    };
  });
}
