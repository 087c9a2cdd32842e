import type { SyncStatus } from '../../preload/api';

export type { SyncStatus } from '../../preload/api';

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
