import { createStore } from 'zustand/vanilla';
import type { ErrorValue, SiteChecklist, SiteflashBridge } from '../../../preload/api';

/** The site's device list as the core counts it: the visit's checklist, and the names it gives devices. */
export interface SiteListState {
  checklist: SiteChecklist | null;
  /** Name and place of each device of the list, by id (lower case). */
  names: Record<string, { name: string; location: string | null }>;
  error: ErrorValue | null;
  /** Asks the core for the checklist now, and follows it (Collect's changes, devices ending in a job); returns a stop function. */
  follow(): () => void;
  refresh(): Promise<void>;
}

/** The list's name for a device, if the list knows it. */
export function listedName(names: SiteListState['names'], id: string | null | undefined): string | undefined {
  return id ? names[id.toLowerCase()]?.name : undefined;
}

export function createSiteListStore(bridge: () => SiteflashBridge) {
  return createStore<SiteListState>()((set, get) => {
    const take = (checklist: SiteChecklist | null) =>
      set({ checklist, names: Object.fromEntries((checklist?.devices ?? []).map((d) => [d.id, { name: d.name, location: d.location }])), error: null });
    return {
      checklist: null,
      names: {},
      error: null,
      async refresh() {
        const r = await bridge().invoke('site:checklist', {});
        if (r.ok) take(r.value);
        else set({ error: r.error });
      },
      follow() {
        const offs = [
          bridge().on('collect:changed', (c) => {
            if (c.checklist !== undefined) take(c.checklist);
          }),
          bridge().on('job:device-state', (e) => {
            if (['done', 'failed', 'rolled-back', 'cancelled'].includes(e.to)) void get().refresh();
          }),
          bridge().on('demo:changed', () => void get().refresh()),
        ];
        void get().refresh();
        return () => offs.forEach((off) => off());
      },
    };
  });
}
