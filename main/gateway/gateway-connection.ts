import type { CollectState, GatewayInfo, HeardDevice } from '../../preload/api';
import { fieldIdentity, fieldLed } from '../devices/commands/field';
import { negotiateParams } from '../devices/params';
import { withLinkSession } from '../devices/link-session';
import { SmpSession } from '../devices/session';
import { SiteflashError } from '../errors';
import { systemClock, type Clock } from '../links/clock';
import type { Link } from '../links/link';
import { Listeners } from '../links/listeners';
import type { Logger } from '../log/logger';
import { GatewayClient } from './gateway-client';
import { gatewayLabel, mergeHeard, type GatewayHearing } from './heard-merge';
import { ScanPoller } from './scan-poller';

/** A gateway the app holds open: its link, session, client and what it said about itself. */
export interface OpenGateway {
  link: Link;
  session: SmpSession;
  client: GatewayClient;
  bufSize: number;
  info: GatewayInfo;
}

/** Direct devices the Collect screen also asks, each with how a job reaches it. */
export type DirectSource = () => Array<{ link: Link; target: HeardDevice['target'] }> | Promise<Array<{ link: Link; target: HeardDevice['target'] }>>;

/** One connected gateway and what its radio scan last heard. */
interface Held extends OpenGateway {
  poller: ScanPoller | null;
  heard: GatewayHearing | null;
  /** Installing its own firmware: its scan is paused and a dropped link is not a lost gateway. */
  installing: boolean;
}

/**
 * The app's gateways (several at once, by EUI-64), and collecting: while the Collect screen is
 * open, every gateway's radio scan runs every few seconds and direct devices are asked who they
 * are; devices in update mode come first; a device heard by several gateways is listed once,
 * through the one that hears it best ({@link mergeHeard}). Owns the gateways' links: nothing
 * else opens them.
 */
export class GatewayConnection {
  private readonly gateways = new Map<string, Held>();
  private lastFailure: string | null = null;
  private directTimer: (() => void) | null = null;
  private heardDirect: HeardDevice[] = [];
  private collect: CollectState = { scanning: false, devices: [], updatedAt: null, error: null };
  /** The first gateway (or none, with the last failure): what `gateway:status` has always said. */
  readonly changes = new Listeners<GatewayInfo>();
  /** Every connected gateway, after any of them changed. */
  readonly listChanges = new Listeners<GatewayInfo[]>();
  readonly collectChanges = new Listeners<CollectState>();

  constructor(
    private readonly log: Logger,
    private readonly direct: DirectSource,
    private readonly clock: Clock = systemClock,
  ) {}

  /** The first gateway connected (the only one on a site with one gateway). */
  get current(): OpenGateway | null {
    return this.gateways.values().next().value ?? null;
  }

  /** Every connected gateway, in the order connected. */
  get all(): OpenGateway[] {
    return [...this.gateways.values()];
  }

  /** The gateway with this EUI-64, if connected. */
  get(id: string): OpenGateway | null {
    return this.gateways.get(id) ?? null;
  }

  get info(): GatewayInfo {
    return this.current?.info ?? { connected: false, ...(this.lastFailure ? { message: this.lastFailure } : {}) };
  }

  get infos(): GatewayInfo[] {
    return this.all.map((g) => g.info);
  }

  get collectState(): CollectState {
    return this.collect;
  }

  /**
   * The gateway a job or a request reaches a device through: the one it names, else the one that
   * hears the device best now, else the first connected.
   */
  reaching(target: { gatewayId?: string | null; deviceId: string }): OpenGateway | null {
    return target.gatewayId ? this.get(target.gatewayId) : (this.routeOf(target.deviceId) ?? this.current);
  }

  /** The gateway a device is reached through: the one that hears it best now, else the only one connected. */
  routeOf(deviceId: string): OpenGateway | null {
    const heard = this.collect.devices.find((d) => d.id === deviceId && d.gateway);
    const g = heard?.gateway ? this.gateways.get(heard.gateway.id) : undefined;
    if (g) return g;
    return this.gateways.size === 1 ? this.current : null;
  }

  /**
   * Opens `link`, checks that a gateway answers, and adds it to the app's gateways. A gateway
   * already connected through `via` is disconnected first (connecting again); a gateway that is
   * already connected on another port is refused.
   */
  async connect(link: Link, via: string, opts: { forwardTimeoutMs?: number } = {}): Promise<GatewayInfo> {
    const same = this.all.find((g) => g.info.via === via);
    if (same?.info.id) await this.disconnect(same.info.id);
    try {
      await link.open();
      const session = new SmpSession(link, { clock: this.clock });
      const client = new GatewayClient(session, { clock: this.clock, ...(opts.forwardTimeoutMs ? { forwardTimeoutMs: opts.forwardTimeoutMs } : {}) });
      const params = await negotiateParams(session);
      const id = await client.identity();
      const other = this.gateways.get(id.id);
      if (other) {
        session.dispose();
        throw new SiteflashError('gateway-already-connected', `The gateway ${id.id} is already connected on ${other.info.via}; it was not connected a second time on ${via}.`);
      }
      const info: GatewayInfo = { connected: true, via, id: id.id, board: id.board, version: id.version, label: gatewayLabel(id.id, via), state: 'ready' };
      const held: Held = { link, session, client, bufSize: params.bufSize, info, poller: null, heard: null, installing: false };
      this.gateways.set(id.id, held);
      this.lastFailure = null;
      link.onClose((reason) => {
        if (this.gateways.get(id.id) !== held || held.installing || reason.kind === 'closed') return;
        this.lastFailure = `The gateway ${id.id} went away (${reason.kind}). Check its cable and connect it again.`;
        this.log.warn(this.lastFailure);
        this.drop(id.id);
      });
      this.log.info(`gateway ${id.id} (${id.board} ${id.version}) connected via ${via}`);
      this.emitInfo();
      if (this.collect.scanning) this.startScan(held);
      return info;
    } catch (err) {
      await link.close().catch(() => undefined);
      this.lastFailure = err instanceof Error ? err.message : String(err);
      this.emitInfo();
      throw err;
    }
  }

  /** Disconnects one gateway, or every gateway when `id` is absent; returns the first one left (or none). */
  async disconnect(id?: string): Promise<GatewayInfo> {
    const ids = id === undefined ? [...this.gateways.keys()] : [id];
    if (id !== undefined && !this.gateways.has(id)) throw new SiteflashError('no-gateway', `No gateway ${id} is connected.`);
    for (const x of ids) {
      const g = this.gateways.get(x);
      this.drop(x);
      if (g) await g.link.close().catch(() => undefined);
    }
    return this.info;
  }

  /**
   * While a gateway installs its own firmware: its scan pauses, a dropped link (it restarts) does
   * not remove it, and its state says `installing`. `end` re-reads what it runs and resumes the scan.
   */
  beginInstall(id: string): { end(): Promise<void> } {
    const g = this.gateways.get(id);
    if (!g) throw new SiteflashError('no-gateway', `The gateway ${id} is not connected: connect it on the Connect screen, then retry.`);
    g.installing = true;
    g.poller?.stop();
    g.poller = null;
    g.info = { ...g.info, state: 'installing' };
    this.emitInfo();
    let ended = false;
    return {
      end: async () => {
        if (ended) return;
        ended = true;
        g.installing = false;
        if (this.gateways.get(id) !== g) return;
        const now = g.link.isOpen ? await g.client.identity().catch(() => null) : null;
        if (now && now.id === id) g.info = { ...g.info, version: now.version, board: now.board };
        g.info = { ...g.info, state: 'ready' };
        this.emitInfo();
        if (this.collect.scanning) this.startScan(g);
      },
    };
  }

  /** Starts collecting (no-op when running). */
  startCollect(): CollectState {
    if (!this.collect.scanning) {
      this.setCollect({ scanning: true, error: null });
      for (const g of this.gateways.values()) if (!g.installing) this.startScan(g);
      void this.pollDirect();
    }
    return this.collect;
  }

  stopCollect(): CollectState {
    for (const g of this.gateways.values()) {
      g.poller?.stop();
      g.poller = null;
    }
    this.directTimer?.();
    this.directTimer = null;
    this.setCollect({ scanning: false });
    return this.collect;
  }

  /** Makes one device blink `identify`, through its gateway or on its own link. */
  async identify(target: HeardDevice['target'], direct: (t: HeardDevice['target']) => Link | null): Promise<void> {
    if (target.kind === 'gateway') {
      const g = this.reaching(target);
      if (!g) throw new SiteflashError('no-gateway', target.gatewayId ? `The gateway ${target.gatewayId} is not connected.` : 'No gateway is connected.');
      await g.client.led('identify', target.deviceId);
      return;
    }
    const link = direct(target);
    if (!link) throw new SiteflashError('device-not-found', 'That device is not connected.');
    await withSession(link, this.clock, (session) => fieldLed(session, 'identify'));
  }

  private startScan(g: Held): void {
    g.poller?.stop();
    const id = g.info.id ?? '';
    const label = g.info.label ?? id;
    const poller = new ScanPoller((ms, signal) => g.client.scan(ms, signal), { clock: this.clock, intervalMs: 1500, listenMs: 1000 });
    g.poller = poller;
    poller.onChange(({ devices }) => {
      if (g.poller !== poller) return;
      g.heard = { gateway: { id, label }, at: this.clock.now(), devices: devices.map((d) => ({ ...d, via: 'gateway', target: { kind: 'gateway', deviceId: d.id, gatewayId: id } })) };
      this.publish();
    });
    poller.onError((err) => this.setCollect({ error: `The gateway ${label} did not answer the scan: ${err instanceof Error ? err.message : String(err)}` }));
    poller.start();
  }

  /** Asks each direct device who it is, every few seconds while collecting. */
  private async pollDirect(): Promise<void> {
    const heard: HeardDevice[] = [];
    // A source that cannot be listed this round (ports briefly unreadable) is asked again next round.
    const sources = await Promise.resolve()
      .then(() => this.direct())
      .catch(() => []);
    for (const { link, target } of sources) {
      // An open link belongs to a job now: keep what was last heard rather than talk over it.
      if (link.isOpen) {
        const last = this.heardDirect.find((d) => JSON.stringify(d.target) === JSON.stringify(target));
        if (last) heard.push(last);
        continue;
      }
      try {
        const id = await withSession(link, this.clock, (s) => fieldIdentity(s));
        if (id && id.role === 'device') heard.push({ id: id.id, board: id.board, hw: id.hw, version: id.version, mode: id.mode, led: id.led, via: 'direct', gateway: null, target });
      } catch {
        // A device that does not answer is simply not heard this round.
      }
    }
    this.heardDirect = heard;
    this.publish();
    if (this.collect.scanning) this.directTimer = this.clock.schedule(() => void this.pollDirect(), 2000);
  }

  private publish(): void {
    const hearings = this.all.flatMap((g) => ((g as Held).heard ? [(g as Held).heard as GatewayHearing] : []));
    const devices = [...mergeHeard(hearings), ...this.heardDirect].sort((a, b) => Number(b.mode === 'update') - Number(a.mode === 'update') || a.id.localeCompare(b.id));
    this.setCollect({ devices, updatedAt: Date.now(), error: null });
  }

  private setCollect(change: Partial<CollectState>): void {
    this.collect = { ...this.collect, ...change };
    this.collectChanges.emit(this.collect);
  }

  private emitInfo(): void {
    this.changes.emit(this.info);
    this.listChanges.emit(this.infos);
  }

  private drop(id: string): void {
    const g = this.gateways.get(id);
    if (!g) return;
    g.poller?.stop();
    g.poller = null;
    g.session.dispose();
    this.gateways.delete(id);
    if (g.heard) this.publish();
    this.emitInfo();
  }
}

/** One short exchange with a direct device; refused while a job holds its link. */
function withSession<T>(link: Link, clock: Clock, run: (s: SmpSession) => Promise<T>): Promise<T> {
  if (link.isOpen) throw new SiteflashError('device-busy', 'The device is busy with an update; try again when it is done.');
  return withLinkSession(link, run, { clock, timeoutMs: 1500, retries: 0 });
}
