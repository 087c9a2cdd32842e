import { createStore } from 'zustand/vanilla';
import type { AuditEntry, ErrorValue, HistoryFilter, SiteflashBridge } from '../../../preload/api';

/** A CSV export as the core made it. */
export interface CsvExport {
  fileName: string;
  csv: string;
  rows: number;
}

/** The audit log as last queried, with its filter. */
export interface HistoryState {
  entries: AuditEntry[];
  filter: HistoryFilter;
  loading: boolean;
  error: ErrorValue | null;
  query(filter: HistoryFilter): Promise<void>;
  /** The audit log as CSV for a filter; null (with `error` set) when the core refused. */
  exportCsv(filter: HistoryFilter): Promise<CsvExport | null>;
}

export function createHistoryStore(bridge: () => SiteflashBridge) {
  return createStore<HistoryState>()((set) => ({
    entries: [],
    filter: {},
    loading: false,
    error: null,
    async query(filter) {
      set({ loading: true, filter });
      const result = await bridge().invoke('history:query', filter);
      set(result.ok ? { entries: result.value, loading: false, error: null } : { loading: false, error: result.error });
    },
    async exportCsv(filter) {
      const result = await bridge().invoke('history:export-csv', filter);
      if (result.ok) return result.value;
      set({ error: result.error });
      return null;
    },
  }));
}
