/** What the app shows about sync; the renderer gets it as-is. */
export interface SyncStatus {
  /** Whether the configured server answered the last probe or request; null before the first. */
  online: boolean | null;
  /** True while a sync runs. */
  syncing: boolean;
  /** Epoch ms of the last sync that completed; null if never. */
  lastSyncAt: number | null;
  /** Outbox rows waiting to be uploaded (including parked ones). */
  waiting: number;
  /** The last error in words, for the technician; null after a clean sync. Never contains a secret. */
  lastError: string | null;
  /** Stable kind of the last error, for code that reacts to it (e.g. `unauthorized` → sign-in). */
  lastErrorKind: string | null;
}

/** Holds the status and tells listeners about every change. */
export class StatusHub {
  private listeners = new Set<(s: SyncStatus) => void>();

  constructor(private status: SyncStatus) {}

  /** The current status (a copy). */
  get current(): SyncStatus {
    return { ...this.status };
  }

  /** Merges a change; notifies listeners only if something changed. */
  update(change: Partial<SyncStatus>): void {
    const next = { ...this.status, ...change };
    const keys = Object.keys(next) as (keyof SyncStatus)[];
    if (keys.every((k) => next[k] === this.status[k])) return;
    this.status = next;
    for (const l of this.listeners) l({ ...next });
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  subscribe(listener: (s: SyncStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
