import { udpLinkId } from '../links/udp-link';
import { cancelled } from '../devices/errors';
import type { TargetLink } from './types';

/** How many sessions may run at once. */
export interface SchedulerLimits {
  /** Parallel BLE connections (the adapter's limit; default 3). */
  ble: number;
  /** Sessions of any kind at once; unlimited when absent. */
  total?: number;
}

/** What a link competes for: its own port (serial, HID, loopback), or the shared BLE adapter. */
export function resourceOf(link: TargetLink): { key: string; capacity: 'one' | 'ble' } {
  switch (link.kind) {
    case 'serial':
      return { key: `serial:${link.path}`, capacity: 'one' };
    case 'hid':
      return { key: `hid:${link.path}`, capacity: 'one' };
    case 'loopback':
      return { key: `loopback:${link.name}`, capacity: 'one' };
    case 'ble':
      return { key: 'ble', capacity: 'ble' };
    case 'udp':
      return { key: udpLinkId(link.host, link.port), capacity: 'one' };
  }
}

interface Waiter {
  link: TargetLink;
  grant: () => void;
}

/**
 * Grants sessions: one per serial port or HID device, at most `limits.ble` BLE connections, at
 * most `limits.total` overall. Waiters are served in arrival order among those that can run, so
 * a busy BLE adapter never holds back a free serial port.
 */
export class LinkScheduler {
  private readonly held = new Map<string, number>();
  private total = 0;
  private readonly queue: Waiter[] = [];

  constructor(readonly limits: SchedulerLimits = { ble: 3 }) {}

  /** Sessions running now. */
  get running(): number {
    return this.total;
  }

  /** Waits for a session slot for `link`; resolves to the function that gives it back (call once). */
  acquire(link: TargetLink, signal?: AbortSignal): Promise<() => void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(cancelled());
      const waiter: Waiter = {
        link,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          this.take(link);
          let released = false;
          resolve(() => {
            if (released) return;
            released = true;
            this.give(link);
          });
        },
      };
      const onAbort = () => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        reject(cancelled());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
      this.pump();
    });
  }

  private fits(link: TargetLink): boolean {
    if (this.limits.total !== undefined && this.total >= this.limits.total) return false;
    const r = resourceOf(link);
    const n = this.held.get(r.key) ?? 0;
    return r.capacity === 'one' ? n === 0 : n < this.limits.ble;
  }

  private take(link: TargetLink): void {
    const { key } = resourceOf(link);
    this.held.set(key, (this.held.get(key) ?? 0) + 1);
    this.total++;
  }

  private give(link: TargetLink): void {
    const { key } = resourceOf(link);
    this.held.set(key, (this.held.get(key) ?? 1) - 1);
    this.total--;
    this.pump();
  }

  private pump(): void {
    for (let i = 0; i < this.queue.length; ) {
      const w = this.queue[i] as Waiter;
      if (this.fits(w.link)) {
        this.queue.splice(i, 1);
        w.grant();
      } else i++;
    }
  }
}
