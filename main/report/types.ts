import type { AuditEntry, LedAnswer } from '../jobs/types';
import type { LaptopKeyInfo } from '../../preload/api';

/** Format tag of a visit report's JSON. */
export const REPORT_FORMAT = 'siteflash-visit-report/1';

/** One device attempt: its audit row as chained, plus what the journal adds (retries, reason kind). */
export interface ReportDeviceRow extends AuditEntry {
  /** Transient failures retried in this attempt. */
  retries: number;
  reasonKind: string | null;
  ledAnswers: LedAnswer[];
  /** The row's place in the audit hash chain (main/store/README.md "Hash chains"). */
  audit: { id: number; prevHash: string; hash: string };
}

/** A job of the visit and the release it sent. */
export interface ReportJob {
  id: string;
  kind: 'firmware' | 'network';
  state: string;
  createdAt: number;
  release: { kind: string; name: string; bundleId: string | null; manifestSha256: string | null; components: { board: string | null; version: string; sha256: string; imageHash: string }[] };
}

/** A device whose last attempt did not end `done`, and what to try. */
export interface NeedsAttention {
  jobId: string;
  deviceKey: string;
  deviceId: string | null;
  board: string | null;
  result: string;
  reason: string | null;
  whatToTry: string;
}

/** Per board: devices by the end of their last attempt. */
export interface BoardTotals {
  board: string;
  devices: number;
  done: number;
  failed: number;
  rolledBack: number;
  cancelled: number;
}

/** The visit report (JSON, signed detached by the laptop key). */
export interface VisitReport {
  format: typeof REPORT_FORMAT;
  visit: { id: string; site: string | null; technician: string; date: string; definition: string; from: number; to: number };
  generatedAt: number;
  generator: { app: 'siteflash'; version: string };
  laptopKey: Pick<LaptopKeyInfo, 'algorithm' | 'publicKeyPem' | 'fingerprint'>;
  jobs: ReportJob[];
  devices: ReportDeviceRow[];
  needsAttention: NeedsAttention[];
  totals: BoardTotals[];
  /** The audit chain when the report was made: intact, and its head. */
  auditChain: { intact: true; head: { id: number; hash: string } };
}
