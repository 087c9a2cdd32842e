import { createStore } from 'zustand/vanilla';
import type { DemoSite, ErrorValue, SiteflashBridge } from '../../../preload/api';

/** The demo site (simulated gateway and devices) and its stand-ins for the magnet and OTG adapter. */
export interface DemoState {
  site: DemoSite | null;
  /** What runs now: `start`, `stop`, `mode:<id>`, `fail:<id>`. */
  busy: string | null;
  /** Demo devices armed to fail their next update in this session (the core does not report it back). */
  armed: string[];
  error: ErrorValue | null;
  load(): Promise<void>;
  start(): Promise<boolean>;
  stop(): Promise<void>;
  /** Stands in for the magnet and OTG adapter on one demo device. */
  updateMode(deviceId: string): Promise<void>;
  /** Makes one demo device fail its next update. */
  injectFailure(deviceId: string): Promise<void>;
  /** Forgets an armed failure once it has happened (the failure is one-shot). */
  disarm(deviceId: string): void;
  /** Follows `demo:changed`; returns the unsubscribe function. */
  watch(): () => void;
}

export function createDemoStore(bridge: () => SiteflashBridge) {
  return createStore<DemoState>()((set, get) => {
    const run = async (busy: string, call: () => ReturnType<SiteflashBridge['invoke']>, after?: () => void) => {
      set({ busy, error: null });
      const result = await call();
      if (result.ok) {
        set({ site: result.value as DemoSite, busy: null });
        after?.();
      } else set({ error: result.error, busy: null });
      return result.ok;
    };
    return {
      site: null,
      busy: null,
      armed: [],
      error: null,
      async load() {
        const result = await bridge().invoke('demo:status', {});
        set(result.ok ? { site: result.value } : { error: result.error });
      },
      start: () => run('start', () => bridge().invoke('demo:start', {})),
      async stop() {
        await run('stop', () => bridge().invoke('demo:stop', {}), () => set({ armed: [] }));
      },
      async updateMode(deviceId) {
        await run(`mode:${deviceId}`, () => bridge().invoke('demo:update-mode', { deviceId }));
      },
      async injectFailure(deviceId) {
        await run(`fail:${deviceId}`, () => bridge().invoke('demo:inject-failure', { deviceId }), () =>
          set({ armed: [...get().armed.filter((id) => id !== deviceId), deviceId] }),
        );
      },
      disarm(deviceId) {
        if (get().armed.includes(deviceId)) set({ armed: get().armed.filter((id) => id !== deviceId) });
      },
      watch() {
        return bridge().on('demo:changed', (site) => set({ site }));
      },
    };
  });
}
