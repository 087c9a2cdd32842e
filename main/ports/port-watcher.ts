import { EventEmitter } from 'node:events';
import { stat } from 'node:fs/promises';
import type { PortInfo } from '../../preload/api';
import { SiteflashError } from '../errors';
import type { Logger } from '../log/logger';
import type { AddedLinks } from '../settings/added-links';
import type { PortLister } from './os-ports';

/** Timer functions, injected so the watcher is tested without waiting. */
export interface Timers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

interface WatcherEvents {
  added: [PortInfo];
  removed: [PortInfo];
}

/**
 * Keeps the list of serial ports current: the OS list, polled (serialport has no hot-plug events),
 * plus ports the technician added by path (pseudo-terminals, rfcomm, bridges the OS does not list),
 * kept across restarts when given an {@link AddedLinks}. Emits `added` and `removed` with the port as it was last seen.
 */
export class PortWatcher extends EventEmitter<WatcherEvents> {
  private current = new Map<string, PortInfo>();
  private readonly manual = new Map<string, PortInfo>();
  private handle: unknown = null;
  private polling: Promise<void> | null = null;
  private lastError: string | null = null;

  constructor(
    private readonly lister: PortLister,
    private readonly log: Logger,
    private readonly intervalMs = 1000,
    private readonly timers: Timers = { setInterval, clearInterval: (h) => clearInterval(h as NodeJS.Timeout) },
    /** Where the ports added by path are kept across restarts (main/settings/added-links.ts); none: for this run only. */
    private readonly kept?: AddedLinks,
  ) {
    super();
    // Ports added in an earlier run: listed whenever their path is a tty again.
    for (const path of kept?.ports ?? []) this.manual.set(path, { path, source: 'by-path' });
  }

  /** Starts polling; the first poll runs at once. */
  start(): void {
    if (this.handle !== null) return;
    this.handle = this.timers.setInterval(() => void this.poll(), this.intervalMs);
    void this.poll();
  }

  stop(): void {
    if (this.handle !== null) this.timers.clearInterval(this.handle);
    this.handle = null;
  }

  /** The ports present now, after a fresh poll. */
  async list(): Promise<PortInfo[]> {
    await this.poll();
    return [...this.current.values()];
  }

  /**
   * Adds a port by path. Refused unless the path is a character device (a tty), so that a typo
   * is reported now rather than as a failed open later.
   */
  async addManual(path: string): Promise<PortInfo> {
    const info = await stat(path).catch(() => null);
    if (!info) throw new SiteflashError('port-not-found', `No port at ${path}: check the path and that the device is connected.`);
    if (!info.isCharacterDevice()) throw new SiteflashError('not-a-port', `${path} is not a serial port (not a character device).`);
    const port: PortInfo = { path, source: 'by-path' };
    this.manual.set(path, port);
    this.kept?.set('ports', path, true);
    await this.poll();
    return port;
  }

  /** Forgets a port added by path. */
  async removeManual(path: string): Promise<void> {
    if (!this.manual.delete(path)) throw new SiteflashError('port-not-found', `${path} was not added by path.`);
    this.kept?.set('ports', path, false);
    await this.poll();
  }

  /** One poll at a time; callers arriving during a poll share it. */
  poll(): Promise<void> {
    this.polling ??= this.pollOnce().finally(() => (this.polling = null));
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    let osPorts: PortInfo[];
    try {
      osPorts = await this.lister();
      if (this.lastError) this.log.info('port listing works again');
      this.lastError = null;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (message !== this.lastError) this.log.warn(`cannot list serial ports: ${message}`);
      this.lastError = message;
      osPorts = [...this.current.values()].filter((p) => !this.manual.has(p.path));
    }
    const next = new Map(osPorts.map((p) => [p.path, p]));
    for (const [path, port] of this.manual) {
      if (next.has(path)) continue;
      const alive = await stat(path).then((s) => s.isCharacterDevice(), () => false);
      if (alive) next.set(path, port);
    }
    const before = this.current;
    this.current = next;
    for (const [path, port] of before) if (!next.has(path)) this.emit('removed', port);
    for (const [path, port] of next) if (!before.has(path)) this.emit('added', port);
  }
}
