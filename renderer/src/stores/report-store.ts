import { createStore } from 'zustand/vanilla';
import type { ErrorValue, LaptopKeyInfo, SiteflashBridge, VisitReportFiles } from '../../../preload/api';

/** The laptop's signing key and visit report exports, as the core made them. */
export interface ReportState {
  laptopKey: LaptopKeyInfo | null;
  /** Why the laptop key could not be shown (e.g. no keychain). */
  keyError: ErrorValue | null;
  /** `json` or `pdf` while the core makes that export. */
  busy: 'json' | 'pdf' | null;
  error: ErrorValue | null;
  loadLaptopKey(): Promise<void>;
  /** The signed report of the visit holding `jobId`; null (with `error` set) when the core refused. */
  exportVisit(jobId: string): Promise<VisitReportFiles | null>;
  /** The same report printed to PDF by the core. */
  exportPdf(jobId: string): Promise<{ fileName: string; pdfBase64: string } | null>;
}

export function createReportStore(bridge: () => SiteflashBridge) {
  return createStore<ReportState>()((set) => ({
    laptopKey: null,
    keyError: null,
    busy: null,
    error: null,
    async loadLaptopKey() {
      const result = await bridge().invoke('keys:laptop', {});
      set(result.ok ? { laptopKey: result.value, keyError: null } : { keyError: result.error });
    },
    async exportVisit(jobId) {
      set({ busy: 'json', error: null });
      const result = await bridge().invoke('report:export', { jobId });
      set(result.ok ? { busy: null } : { busy: null, error: result.error });
      return result.ok ? result.value : null;
    },
    async exportPdf(jobId) {
      set({ busy: 'pdf', error: null });
      const result = await bridge().invoke('report:export-pdf', { jobId });
      set(result.ok ? { busy: null } : { busy: null, error: result.error });
      return result.ok ? result.value : null;
    },
  }));
}
