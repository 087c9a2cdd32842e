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

/**
 * The one gateway connection of the app, and collecting: while the Collect screen is open, the
 * gateway's radio scan runs every few seconds and direct devices are asked who they are; devices
 * in update mode come first. Owns the gateway's link: nothing else opens it.
 */
export class GatewayConnection {
  private gateway: OpenGateway | null = null;
  private lastFailure: string | null = null;
  private poller: ScanPoller | null = null;
  private directTimer: (() => void) | null = null;
  private heardGateway: HeardDevice[] = [];
  private heardDirect: HeardDevice[] = [];
  private collect: CollectState = { scanning: false, devices: [], updatedAt: null, error: null };
  readonly changes = new Listeners<GatewayInfo>();
  readonly collectChanges = new Listeners<CollectState>();

  constructor(
    private readonly log: Logger,
    private readonly direct: DirectSource,
    private readonly clock: Clock = systemClock,
  ) {}

  get current(): OpenGateway | null {
    return this.gateway;
  }

  get info(): GatewayInfo {
    return this.gateway?.info ?? { connected: false, ...(this.lastFailure ? { message: this.lastFailure } : {}) };
  }

  get collectState(): CollectState {
    return this.collect;
  }

  /** Opens `link`, checks that a gateway answers, and keeps it as the app's gateway. */
  async connect(link: Link, via: string, opts: { forwardTimeoutMs?: number } = {}): Promise<GatewayInfo> {
    await this.disconnect();
    try {
      await link.open();
      const session = new SmpSession(link, { clock: this.clock });
      const client = new GatewayClient(session, { clock: this.clock, ...(opts.forwardTimeoutMs ? { forwardTimeoutMs: opts.forwardTimeoutMs } : {}) });
      const params = await negotiateParams(session);
      const id = await client.identity();
      const info: GatewayInfo = { connected: true, via, id: id.id, board: id.board, version: id.version };
      this.gateway = { link, session, client, bufSize: params.bufSize, info };
      this.lastFailure = null;
      link.onClose((reason) => {
        if (this.gateway?.link !== link || reason.kind === 'closed') return;
        this.lastFailure = `The gateway went away (${reason.kind}). Check its cable and connect it again.`;
        this.log.warn(this.lastFailure);
        this.drop();
      });
      this.log.info(`gateway ${id.id} (${id.board} ${id.version}) connected via ${via}`);
      this.changes.emit(this.info);
      if (this.collect.scanning) this.startScan();
      return info;
    } catch (err) {
      await link.close().catch(() => undefined);
      this.lastFailure = err instanceof Error ? err.message : String(err);
      this.changes.emit(this.info);
      throw err;
    }
  }

  async disconnect(): Promise<GatewayInfo> {
    const g = this.gateway;
    this.drop();
    if (g) await g.link.close().catch(() => undefined);
    return this.info;
  }

  /** Starts collecting (no-op when running). */
  startCollect(): CollectState {
    if (!this.collect.scanning) {
      this.setCollect({ scanning: true, error: null });
      this.startScan();
      void this.pollDirect();
    }
    return this.collect;
  }

  stopCollect(): CollectState {
    this.poller?.stop();
    this.poller = null;
    this.directTimer?.();
    this.directTimer = null;
    this.setCollect({ scanning: false });
    return this.collect;
  }

  /** Makes one device blink `identify`, through the gateway or on its own link. */
  async identify(target: HeardDevice['target'], direct: (t: HeardDevice['target']) => Link | null): Promise<void> {
    if (target.kind === 'gateway') {
      if (!this.gateway) throw new SiteflashError('no-gateway', 'No gateway is connected.');
      await this.gateway.client.led('identify', target.deviceId);
      return;
    }
    const link = direct(target);
    if (!link) throw new SiteflashError('device-not-found', 'That device is not connected.');
    await withSession(link, this.clock, (session) => fieldLed(session, 'identify'));
  }

  private startScan(): void {
    this.poller?.stop();
    const g = this.gateway;
    if (!g) return;
    this.poller = new ScanPoller((ms, signal) => g.client.scan(ms, signal), { clock: this.clock, intervalMs: 1500, listenMs: 1000 });
    this.poller.onChange(({ devices }) => {
      this.heardGateway = devices.map((d) => ({ ...d, via: 'gateway', target: { kind: 'gateway', deviceId: d.id } }));
      this.publish();
    });
    this.poller.onError((err) => this.setCollect({ error: `The gateway did not answer the scan: ${err instanceof Error ? err.message : String(err)}` }));
    this.poller.start();
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
        if (id && id.role === 'device') heard.push({ id: id.id, board: id.board, hw: id.hw, version: id.version, mode: id.mode, led: id.led, via: 'direct', target });
      } catch {
        // A device that does not answer is simply not heard this round.
      }
    }
    this.heardDirect = heard;
    this.publish();
    if (this.collect.scanning) this.directTimer = this.clock.schedule(() => void this.pollDirect(), 2000);
  }

  private publish(): void {
    const devices = [...this.heardGateway, ...this.heardDirect].sort((a, b) => Number(b.mode === 'update') - Number(a.mode === 'update') || a.id.localeCompare(b.id));
    this.setCollect({ devices, updatedAt: Date.now(), error: null });
  }

  private setCollect(change: Partial<CollectState>): void {
    this.collect = { ...this.collect, ...change };
    this.collectChanges.emit(this.collect);
  }

  private drop(): void {
    this.poller?.stop();
    this.poller = null;
    this.gateway?.session.dispose();
    this.gateway = null;
    this.heardGateway = [];
    this.changes.emit(this.info);
  }
}

/** One short exchange with a direct device; refused while a job holds its link. */
function withSession<T>(link: Link, clock: Clock, run: (s: SmpSession) => Promise<T>): Promise<T> {
  if (link.isOpen) throw new SiteflashError('device-busy', 'The device is busy with an update; try again when it is done.');
  return withLinkSession(link, run, { clock, timeoutMs: 1500, retries: 0 });
}
