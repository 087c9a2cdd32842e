import { createStore } from 'zustand/vanilla';
import type { ErrorValue, PreflightReport, PreflightRequest, SiteflashBridge } from '../../../preload/api';

/** The preflight checklist of the visit (Home), as the core last reported it. */
export interface PreflightState {
  report: PreflightReport | null;
  running: boolean;
  error: ErrorValue | null;
  /** Runs the visit's checklist again (`preflight:run`). */
  load(): Promise<void>;
  /** The checks that matter for one batch; null when the core could not answer (the error is kept). */
  forBatch(request: Required<Pick<PreflightRequest, 'targets'>> & PreflightRequest): Promise<PreflightReport | null>;
}

export function createPreflightStore(bridge: () => SiteflashBridge) {
  return createStore<PreflightState>()((set) => ({
    report: null,
    running: false,
    error: null,
    async load() {
      set({ running: true, error: null });
      const result = await bridge().invoke('preflight:run', {});
      set(result.ok ? { running: false, report: result.value } : { running: false, error: result.error });
    },
    async forBatch(request) {
      const result = await bridge().invoke('preflight:run', request);
      if (!result.ok) set({ error: result.error });
      return result.ok ? result.value : null;
    },
  }));
}
