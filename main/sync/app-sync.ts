import { resolveRule } from '../site/fleet-rules';
import type { SyncStatus, VisitPreparation } from '../../preload/api';
import type { Logger } from '../log/logger';
import type { SecretStore } from '../secrets/secret-store';
import { redactSecrets } from '../secrets/redact';
import { Outbox } from '../store/outbox';
import type { Db } from '../store/database';
import { systemClock } from './clock';
import { SyncConnector, type SyncConnectorDeps } from './connector';
import { StatusHub } from './status';

/** How often the app syncs while online, and retries while offline. */
const INTERVAL_MS = 60_000;
const OFFLINE_RETRY_MS = 15_000;

/**
 * Sync as the app runs it: one connector for the configured cloud server (none until one is
 * set), syncing in the background; the status the Home screen shows, also when nothing is set up
 * (results then simply wait in the outbox, which is durable either way).
 */
export class AppSync {
  private connector: SyncConnector | null = null;
  private stopAuto: AbortController | null = null;
  private offConnector: (() => void) | null = null;
  private readonly hub: StatusHub;
  private readonly outbox: Outbox;

  constructor(
    private readonly deps: { db: Db; secrets: SecretStore; verifyBundle: SyncConnectorDeps['verifyBundle']; bundleDir: string; log: Logger },
  ) {
    this.outbox = new Outbox(deps.db);
    this.hub = new StatusHub(this.unconfigured());
  }

  get status(): SyncStatus {
    return this.hub.current;
  }

  onStatus(listener: (s: SyncStatus) => void): () => void {
    return this.hub.subscribe(listener);
  }

  /** Points sync at a cloud server (an empty URL turns sync off) and starts syncing in the background, keeping `siteIds` fresh. */
  configure(baseUrl: string, siteIds: readonly string[] = []): void {
    this.stop();
    if (!baseUrl) {
      this.hub.update(this.unconfigured());
      return;
    }
    const connector = new SyncConnector({
      db: this.deps.db,
      baseUrl,
      fetch,
      token: () => this.deps.secrets.get('cloud-token'),
      clock: systemClock,
      rng: Math.random,
      verifyBundle: this.deps.verifyBundle,
      bundleDir: this.deps.bundleDir,
      redact: redactSecrets,
    });
    this.connector = connector;
    this.hub.update(connector.status);
    this.offConnector = connector.onStatus((s) => this.hub.update(s));
    this.stopAuto = new AbortController();
    void connector.autoSync(this.stopAuto.signal, { intervalMs: INTERVAL_MS, offlineRetryMs: OFFLINE_RETRY_MS, siteIds }).catch((err: unknown) => {
      this.deps.log.error(`background sync stopped: ${err instanceof Error ? err.message : String(err)}`);
    });
    this.deps.log.info(`syncing with ${baseUrl}`);
  }

  /** Syncs now (no-op without a server); resolves with the status after it. */
  async syncNow(): Promise<SyncStatus> {
    if (this.connector) await this.connector.syncNow();
    else this.refreshWaiting();
    return this.status;
  }

  /**
   * Prepares a visit: pulls the sites' catalogs, then downloads and verifies every bundle of a
   * system version that one of their devices should run and that is not stored yet.
   */
  async prepare(siteIds: readonly string[], storedBundleIds: () => Promise<Set<string>>): Promise<VisitPreparation> {
    const connector = this.connector;
    if (!connector) return { sites: [], error: 'No cloud server is set up: enter its address on the Home screen first.' };
    const run = await connector.syncNow({ siteIds });
    const report: VisitPreparation = { sites: [], ...(run.error ? { error: run.error.message } : {}) };
    for (const c of run.catalogs) {
      const stored = await storedBundleIds();
      // The target that applies to each device: its own, else its group's, else the site's (fleet rules).
      const targets = new Set(c.devices.map((d) => resolveRule(d, c.site).version).flatMap((v) => (v?.kind === 'target' ? [v.version] : [])));
      const wanted = c.systemVersions.filter((v) => targets.has(v.version));
      const bundles: VisitPreparation['sites'][number]['bundles'] = [];
      for (const v of wanted) {
        if (stored.has(v.bundle.id)) {
          bundles.push({ id: v.bundle.id, version: v.version, state: 'stored' });
          continue;
        }
        try {
          await connector.downloadBundle(v.bundle);
          bundles.push({ id: v.bundle.id, version: v.version, state: 'downloaded' });
        } catch (err) {
          bundles.push({ id: v.bundle.id, version: v.version, state: 'failed', message: redactSecrets(err instanceof Error ? err.message : String(err)) });
        }
      }
      report.sites.push({ id: c.site.id, name: c.site.name, project: c.project.name, devices: c.devices.length, bundles });
    }
    return report;
  }

  /** Re-reads how many results wait, after the journal put new ones in the outbox. */
  refreshWaiting(): void {
    if (this.connector) this.connector.refreshWaiting();
    else this.hub.update({ waiting: this.outbox.count() });
  }

  stop(): void {
    this.stopAuto?.abort();
    this.offConnector?.();
    this.stopAuto = null;
    this.offConnector = null;
    this.connector = null;
  }

  private unconfigured(): SyncStatus {
    return {
      online: null,
      syncing: false,
      lastSyncAt: null,
      waiting: this.outbox.count(),
      lastError: 'No cloud server is set up: results are kept on this computer until one is.',
      lastErrorKind: 'not-configured',
    };
  }
}
