import type { SiteCatalog } from '../store/catalog-cache';
import { recordedHead } from '../store/audit-chain';
import type { Db } from '../store/db-type';
import { Outbox, type OutboxKind } from '../store/outbox';
import { readSyncState, recordCloudOffset, recordSyncError, recordSyncSuccess } from '../store/sync-state';
import { DEFAULT_BACKOFF } from './backoff';
import { downloadBundle, type BundleRef, type VerifyBundle } from './bundle-download';
import type { Clock, Rng } from './clock';
import type { CloudEndpoint, FetchFn } from './http';
import { probeOnline } from './online';
import { pullCatalog } from './pull-catalog';
import { drainOutbox, type PushOptions, type PushReport } from './push';
import { StatusHub, type SyncStatus } from './status';
import { SyncError } from './sync-error';

/** Everything the connector uses from outside; all of it injected. */
export interface SyncConnectorDeps {
  db: Db;
  /** The cloud's base URL, e.g. `https://cloud.example.com`. */
  baseUrl: string;
  fetch: FetchFn;
  /** Reads the cloud token (from the keychain) when a request needs it. */
  token: () => Promise<string | null>;
  clock: Clock;
  rng: Rng;
  /** Bundle verification from main/image/. */
  verifyBundle: VerifyBundle;
  /** Folder for downloaded bundles. */
  bundleDir: string;
  /** Scrubs secrets from error text before it is stored or shown (see main/secrets/redact). */
  redact?: (text: string) => string;
  /** Makes timeout signals; defaults to `AbortSignal.timeout`. */
  timeoutSignal?: (ms: number) => AbortSignal;
  /** Timeouts in ms: health probe 3 s, API calls 30 s, a bundle transfer 30 min. */
  timeouts?: Partial<{ probeMs: number; requestMs: number; downloadMs: number }>;
  push?: Partial<PushOptions>;
}

/** What {@link SyncConnector.syncNow} did. */
export interface SyncRunReport {
  online: boolean;
  push: PushReport | null;
  catalogs: SiteCatalog[];
  error: SyncError | null;
}

/**
 * The cloud connector: online detection, pushing the outbox, pulling the catalog and bundles, and
 * a {@link SyncStatus} for the app. It works offline-first: producers write to the outbox whatever
 * the network does, and every operation here may fail and be repeated later without harm.
 */
export class SyncConnector {
  /** The outbox producers write to. */
  readonly outbox: Outbox;
  private readonly hub: StatusHub;
  private readonly endpoint: CloudEndpoint;
  private readonly pushOptions: PushOptions;
  private readonly t: { probeMs: number; requestMs: number; downloadMs: number };
  private running: Promise<SyncRunReport> | null = null;

  constructor(private readonly deps: SyncConnectorDeps) {
    this.outbox = new Outbox(deps.db);
    this.endpoint = {
      baseUrl: deps.baseUrl,
      fetch: deps.fetch,
      token: deps.token,
      ...(deps.timeoutSignal ? { timeoutSignal: deps.timeoutSignal } : {}),
    };
    this.t = { probeMs: 3_000, requestMs: 30_000, downloadMs: 30 * 60_000, ...deps.timeouts };
    this.pushOptions = { batchSize: 200, timeoutMs: this.t.requestMs, backoff: DEFAULT_BACKOFF, maxConsecutiveFailures: 5, ...deps.push };
    const saved = readSyncState(deps.db);
    this.hub = new StatusHub({
      online: null,
      syncing: false,
      lastSyncAt: saved.lastSyncAt,
      waiting: this.outbox.count(),
      lastError: saved.lastError,
      lastErrorKind: null,
    });
  }

  /** The current status. */
  get status(): SyncStatus {
    return this.hub.current;
  }

  /** Calls `listener` on every status change; returns the unsubscribe function. */
  onStatus(listener: (s: SyncStatus) => void): () => void {
    return this.hub.subscribe(listener);
  }

  /** Puts an item in the outbox (durably, at once) and updates the waiting count. */
  enqueue(kind: OutboxKind, payload: unknown, idempotencyKey: string): boolean {
    const added = this.outbox.enqueue(kind, payload, idempotencyKey, this.deps.clock.now());
    this.hub.update({ waiting: this.outbox.count() });
    return added;
  }

  /** Re-reads the outbox size, after producers enqueued through their own {@link Outbox}. */
  refreshWaiting(): void {
    this.hub.update({ waiting: this.outbox.count() });
  }

  /**
   * Syncs now and then every `intervalMs` (every `offlineRetryMs` while the cloud cannot be
   * reached) until `signal` aborts. Resolves when aborted; sync failures only show in the status.
   */
  async autoSync(signal: AbortSignal, opts: { intervalMs: number; offlineRetryMs: number; siteIds?: readonly string[] }): Promise<void> {
    while (!signal.aborted) {
      const report = await this.syncNow({ ...(opts.siteIds ? { siteIds: opts.siteIds } : {}), signal }).catch((err: unknown) => {
        if (signal.aborted) return null;
        throw err;
      });
      if (!report) return;
      try {
        await this.deps.clock.sleep(report.online ? opts.intervalMs : opts.offlineRetryMs, signal);
      } catch {
        return;
      }
    }
  }

  /**
   * Probes the server (`GET /v1/health` with a short timeout) and updates `online`; keeps the
   * laptop's clock against the server's time it answered with (the preflight clock line reads it).
   */
  async checkOnline(signal?: AbortSignal): Promise<boolean> {
    const now = () => this.deps.clock.now();
    const { online, cloudOffsetMs } = await probeOnline(this.endpoint, this.t.probeMs, signal, now);
    if (cloudOffsetMs !== null) recordCloudOffset(this.deps.db, cloudOffsetMs, now());
    this.hub.update({ online });
    return online;
  }

  /** Drains the outbox; see {@link drainOutbox}. Records a stop reason as the last error. */
  async push(signal?: AbortSignal): Promise<PushReport> {
    const report = await drainOutbox(
      {
        outbox: this.outbox,
        endpoint: this.endpoint,
        clock: this.deps.clock,
        rng: this.deps.rng,
        onProgress: (waiting) => this.hub.update({ waiting, online: true }),
        chainHead: () => recordedHead(this.deps.db, 'audit'),
        ...(signal ? { signal } : {}),
      },
      this.pushOptions,
    );
    this.hub.update({ waiting: report.waiting });
    if (report.stoppedBy) this.noteError(report.stoppedBy);
    return report;
  }

  /** Pulls and caches the catalog of the chosen sites. */
  pullCatalog(siteIds: readonly string[], signal?: AbortSignal): Promise<SiteCatalog[]> {
    const deps = { db: this.deps.db, endpoint: this.endpoint, now: () => this.deps.clock.now(), timeoutMs: this.t.requestMs };
    return this.guard(pullCatalog(signal ? { ...deps, signal } : deps, siteIds));
  }

  /** Downloads (resuming if cut), hashes and verifies one bundle; resolves to its path. */
  downloadBundle(ref: BundleRef, opts: { onProgress?: (received: number, total: number) => void; signal?: AbortSignal } = {}): Promise<string> {
    return this.guard(
      downloadBundle(
        {
          db: this.deps.db,
          endpoint: this.endpoint,
          bundleDir: this.deps.bundleDir,
          verifyBundle: this.deps.verifyBundle,
          now: () => this.deps.clock.now(),
          timeoutMs: this.t.downloadMs,
          ...opts,
        },
        ref,
      ),
    );
  }

  /**
   * One sync: probe, push the outbox, pull the chosen sites' catalogs. Never throws for network
   * trouble: the report and the status say what happened. Concurrent calls share one run.
   */
  syncNow(opts: { siteIds?: readonly string[]; signal?: AbortSignal } = {}): Promise<SyncRunReport> {
    this.running ??= this.run(opts).finally(() => {
      this.running = null;
      this.hub.update({ syncing: false });
    });
    return this.running;
  }

  private async run(opts: { siteIds?: readonly string[]; signal?: AbortSignal }): Promise<SyncRunReport> {
    this.hub.update({ syncing: true });
    const report: SyncRunReport = { online: false, push: null, catalogs: [], error: null };
    if (!(await this.checkOnline(opts.signal))) {
      report.error = new SyncError('offline', 'The cloud cannot be reached; results wait in the outbox.');
      this.noteError(report.error);
      return report;
    }
    report.online = true;
    // The server answers: rows waiting out a backoff from the outage go now.
    this.outbox.retryNow(this.deps.clock.now());
    try {
      report.push = await this.push(opts.signal);
      if (report.push.stoppedBy) throw report.push.stoppedBy;
      if (opts.siteIds?.length) report.catalogs = await this.pullCatalog(opts.siteIds, opts.signal);
    } catch (err) {
      if (!(err instanceof SyncError)) throw err;
      report.error = err;
      report.online = this.hub.current.online === true;
      return report;
    }
    const now = this.deps.clock.now();
    recordSyncSuccess(this.deps.db, now);
    this.hub.update({ lastSyncAt: now, lastError: null, lastErrorKind: null });
    return report;
  }

  private async guard<T>(p: Promise<T>): Promise<T> {
    try {
      const value = await p;
      this.hub.update({ online: true });
      return value;
    } catch (err) {
      if (err instanceof SyncError) this.noteError(err);
      throw err;
    }
  }

  private noteError(err: SyncError): void {
    const message = this.deps.redact ? this.deps.redact(err.message) : err.message;
    recordSyncError(this.deps.db, message, this.deps.clock.now());
    this.hub.update({ lastError: message, lastErrorKind: err.kind, ...(err.transient && err.kind === 'offline' ? { online: false } : {}) });
  }
}
