import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { CollectState, GatewayBatchSettings, JobSnapshot, JobStartRequest, JobTargetRequest, RadioTimeEstimate, SecretsStatus } from '../preload/api';
import { CollectChoices } from './jobs/collect-choices';
import { commission } from './commission/commission';
import { keychainNetKeys } from './commission/net-key';
import { networkJobSpec } from './commission/network-job';
import { netKeyName } from './secrets/secret-names';
import { DEMO_RADIO, DemoSiteRunner } from './demo/demo-site';
import { estimateRadioTime, type RadioGroup } from './gateway/radio-time';
import { DEFAULT_RADIO } from './sim/radio';
import { SiteflashError } from './errors';
import { GatewayConnection } from './gateway/gateway-connection';
import { createLink, DEFAULT_BAUD_RATE } from './links/factory';
import type { Link } from './links/link';
import type { Logger } from './log/logger';
import type { DeviceDriver } from './jobs/driver';
import { GATEWAY_TARGET_PREFIX, GatewayDriver, gatewayTarget } from './jobs/gateway-driver';
import { deviceKeyOf, JobsService } from './jobs/jobs-service';
import { UPDATE_MODE_IDLE_MS } from './jobs/led-checkpoints';
import { RoutingDriver } from './jobs/routing-driver';
import { defaultOpenLink, SmpDriver } from './jobs/smp-driver';
import type { JobTarget } from './jobs/types';
import { releaseFromBundle } from './releases/job-release';
import type { ReleasesService } from './releases/releases-service';
import { redactSecrets } from './secrets/redact';
import { SecretStore } from './secrets/secret-store';
import { AppSettingsStore } from './settings/app-settings';
import { openDatabase, type Db } from './store/database';
import { lockJob } from './store/lock-file';
import { AppSync } from './sync/app-sync';

/** Demo devices' links are named `demo/<id>`. */
const DEMO_PREFIX = 'demo/';
/** Through the demo gateway a lost forward is noticed in seconds rather than the real 20 s. */
const DEMO_FORWARD_TIMEOUT_MS = 4000;

/** A device connected directly (serial, BLE, HID), as a job reaches it. */
export type DirectTargetRequest = Extract<JobTargetRequest, { kind: 'serial' | 'ble' | 'hid' }>;

/**
 * The core's long-lived services, built once and wired to each other: the journal database, the
 * batch engine with one driver per way of reaching a device, sync, secrets, settings, the gateway
 * connection and the demo site.
 */
export class Services {
  readonly db: Db;
  readonly settings: AppSettingsStore;
  readonly secrets = new SecretStore();
  readonly sync: AppSync;
  readonly demo = new DemoSiteRunner();
  readonly gateway: GatewayConnection;
  readonly jobs: JobsService;
  /** The Collect screen's choices and LED answers, kept here so that a reload keeps them. */
  readonly choices = new CollectChoices();
  private gatewayDriver: { client: unknown; driver: GatewayDriver } | null = null;
  /** The gateway batch settings of the last job that named them (the gateway's defaults until then). */
  private gatewayBatch: GatewayBatchSettings = { batchSize: 10, redundancy: 20 };
  /** Links the jobs opened to direct devices, by device key. */
  private readonly directLinks = new Map<string, Link>();

  constructor(
    dataDir: string,
    private readonly releases: ReleasesService,
    private readonly log: Logger,
    /** Devices connected directly, found on serial, BLE and HID (the Connect screen's list); the demo's come on top. */
    private readonly directDevices: () => Promise<DirectTargetRequest[]> = async () => [],
  ) {
    this.db = openDatabase({ dataDir }).db;
    this.settings = new AppSettingsStore(dataDir);
    this.sync = new AppSync({
      db: this.db,
      secrets: this.secrets,
      bundleDir: join(dataDir, 'downloads'),
      log: log.child('sync'),
      verifyBundle: async (path) => {
        try {
          await releases.importPath(path);
          return { ok: true };
        } catch (err) {
          return { ok: false, reason: err instanceof Error ? err.message : String(err) };
        }
      },
    });
    this.gateway = new GatewayConnection(log.child('gateway'), async () => [
      ...(this.demo.running ? this.demo.snapshot().devices.filter((d) => d.via === 'direct').map((d) => ({ link: this.demo.directLink(d.id), target: { kind: 'demo', deviceId: d.id } as const })) : []),
      ...(await this.directDevices()).filter((t) => !this.isGatewayPath(t)).map((target) => ({ link: this.directLinkFor(target), target })),
    ]);
    const smp = new SmpDriver({ openLink: (t) => this.openDirect(t) });
    this.jobs = new JobsService({
      db: this.db,
      driver: new RoutingDriver((t) => this.driverFor(t, smp)),
      netKey: keychainNetKeys(this.secrets),
      lockJob: (jobId) => lockJob(dataDir, jobId, 'the siteflash app'),
    });
    // A device's end writes its audit row to the outbox in the same commit: the waiting count moves.
    this.jobs.on('job:device-state', (e) => {
      if (['done', 'failed', 'rolled-back', 'cancelled'].includes(e.to)) this.sync.refreshWaiting();
      if (e.to === 'failed') {
        // A device never reached has not reported its id; demo and gateway keys end with it.
        const d = this.jobs.get(e.jobId).devices.find((x) => x.key === e.deviceKey);
        if (d) this.demo.deviceFailed(d.deviceId ?? d.key.slice(d.key.lastIndexOf('/') + 1));
      }
    });
    this.sync.configure(this.settings.current.cloudUrl, this.settings.current.siteIds);
    // Before the core's own listener: a device that left update mode loses its tick in the same change.
    this.gateway.collectChanges.add((s) => this.choices.observe(s.devices));
  }

  /** What the Collect screen shows: the devices heard, and the technician's choices and answers. */
  collectView(state: CollectState = this.gateway.collectState): CollectState {
    const c = this.choices.current;
    return { ...state, chosen: c.chosen, answers: c.answers, updateSince: c.updateSince, updateWindowMs: UPDATE_MODE_IDLE_MS, now: this.choices.now() };
  }

  /**
   * The least radio time a gateway update of devices of these boards (one entry per device) with
   * this release needs, from the connected gateway's radio model: the demo gateway's own, or the
   * simulator's model of a real one (50 kbit/s, 128-byte fragments, 10 % duty cycle).
   */
  async radioTime(req: { bundleId: string; boards: string[] } & GatewayBatchSettings): Promise<RadioTimeEstimate> {
    const bundle = (await this.releases.list()).find((b) => b.id === req.bundleId);
    if (!bundle) throw new SiteflashError('bundle-not-found', 'That release is not stored on this laptop (any more): choose another one.');
    const counts = new Map<string, number>();
    for (const b of req.boards) counts.set(b, (counts.get(b) ?? 0) + 1);
    const groups: RadioGroup[] = [];
    const missing: string[] = [];
    for (const [board, devices] of counts) {
      const sizes = bundle.components.filter((c) => c.board === board).map((c) => c.size);
      if (sizes.length === 0) missing.push(board);
      else groups.push({ board, imageBytes: Math.max(...sizes), devices });
    }
    if (missing.length) throw new SiteflashError('board-not-in-release', `The release ${bundle.name} has no image for ${missing.join(', ')}: those devices cannot be updated with it.`);
    const radio = this.gateway.info.via === 'demo' ? { ...DEFAULT_RADIO, ...DEMO_RADIO } : DEFAULT_RADIO;
    return estimateRadioTime(radio, groups, req.batchSize, req.redundancy);
  }

  /** Resumes jobs a crash or a quit left unfinished (the journal says where each device was). */
  resume(): void {
    // A job another process runs, or a journal the disk refuses: the app stays up and says why.
    const said = new Set<unknown>();
    const say = (err: unknown) => this.log.warn(`unfinished job not resumed: ${err instanceof Error ? err.message : String(err)}`);
    try {
      const resumed = this.jobs.resumeUnfinished((_id, err) => (said.add(err), say(err)));
      if (resumed.length) this.log.info(`resumed ${resumed.length} unfinished job(s) from the journal`);
    } catch (err) {
      if (!said.has(err)) say(err);
    }
  }

  /** Starts a job for any adapter; `as` names who and where when the adapter was told (the CLI's --technician, --site). */
  async startJob(req: JobStartRequest, as: { technician?: string; site?: string } = {}): Promise<JobSnapshot> {
    if (req.targets.length === 0) throw new SiteflashError('no-devices', 'Choose at least one device to update.');
    const s = this.settings.current;
    const site = as.site ?? s.siteName;
    const who = { technician: as.technician || s.technician || userInfo().username, ...(site ? { site } : {}) };
    const targets = req.targets.map((t) => this.toTarget(t.link, t.expectedDeviceId));
    const kind = req.kind ?? 'firmware';
    if (kind !== 'network') await this.checkRelease(req);
    const release = kind === 'network' ? null : await releaseFromBundle(this.releases.bundles, req.bundleId ?? '');
    if (req.gatewayBatch) {
      this.gatewayBatch = req.gatewayBatch;
      this.gatewayDriver?.driver.configureBatches(req.gatewayBatch);
    }
    if (kind === 'firmware') {
      // Only a firmware job takes the Collect answer: in a commissioning the network phase's reset ends update mode first.
      // The answer and its time are the ones the core recorded on Collect, never a time the renderer sent.
      const answered = targets.map((t, i) => {
        const r = req.targets[i];
        const led = this.choices.answerFor(r?.expectedDeviceId ?? (r && 'deviceId' in r.link ? r.link.deviceId : undefined));
        return led ? { ...t, updateModeLed: { seen: led.seen, at: led.at } } : t;
      });
      return this.jobs.get(this.jobs.start({ release: release!, targets: answered, policy: req.policy, ...who }));
    }
    const network = req.network!;
    if (!(await this.secrets.has(netKeyName(network.projectId)))) {
      throw new SiteflashError('net-key-missing', `No network key is stored for project ${network.projectId}: set it on the Home screen first.`);
    }
    if (kind === 'network') return this.jobs.get(this.jobs.start(networkJobSpec({ targets, network, policy: req.policy, ...who })));
    // Commissioning starts its network phase at once, then the release on every device that rejoined.
    const before = new Set(this.jobs.list().map((j) => j.id));
    void commission(this.jobs, { targets, network, policy: req.policy, release: release!, ...who }).catch((err: unknown) =>
      this.log.error(`commissioning stopped: ${err instanceof Error ? err.message : String(err)}`),
    );
    const started = this.jobs.list().find((j) => !before.has(j.id));
    if (!started) throw new SiteflashError('internal', 'Commissioning did not start its network phase.', false);
    return started;
  }

  /**
   * Verifies the job's bundle again, here in the core, before a byte is sent: its files may have
   * changed on disk and its keys may no longer be trusted since it was imported (the renderer's
   * list is no gate). A demo release goes only to the demo site's devices.
   */
  private async checkRelease(req: JobStartRequest): Promise<void> {
    const id = req.bundleId ?? '';
    const info = await this.releases.verify(id);
    if (info.verification.state === 'failed') {
      throw new SiteflashError(
        'bundle-not-verified',
        `The release ${id} no longer verifies (${info.verification.reason}): ${info.verification.message} The job was not started; import the release again, or choose another.`,
        true,
        { bundleId: id, reason: info.verification.reason },
      );
    }
    const onDemoSite = (t: JobTargetRequest) => t.kind === 'demo' || (t.kind === 'gateway' && this.gateway.info.via === 'demo');
    if (info.demo && !req.targets.every((t) => onDemoSite(t.link))) {
      throw new SiteflashError('demo-release-real-device', `The release ${id} is signed with a demo key, which protects nothing: it can only update the demo site's simulated devices. The job was not started.`, true, { bundleId: id });
    }
  }

  /** Starts the demo site and connects its gateway as the app's gateway. */
  async startDemo() {
    const link = this.demo.start();
    if (this.gateway.current?.link !== link) await this.gateway.connect(link, 'demo', { forwardTimeoutMs: DEMO_FORWARD_TIMEOUT_MS });
    return this.demo.snapshot();
  }

  async stopDemo() {
    if (this.gateway.info.via === 'demo') await this.gateway.disconnect();
    this.demo.stop();
    return this.demo.snapshot();
  }

  async connectGateway(path: string, baudRate = DEFAULT_BAUD_RATE) {
    return this.gateway.connect(createLink({ kind: 'serial', path, baudRate }), path);
  }

  async identify(target: JobTargetRequest): Promise<null> {
    await this.gateway.identify(target, (t) => (t.kind === 'demo' ? this.demo.directLink(t.deviceId) : t.kind === 'gateway' ? null : this.directLinkFor(t)));
    return null;
  }

  /** Prepares the chosen sites for an offline visit and keeps them fresh from then on. */
  async prepareVisit(siteIds: string[]) {
    const s = this.settings.update({ siteIds });
    this.sync.configure(s.cloudUrl, s.siteIds);
    return this.sync.prepare(siteIds, async () => new Set((await this.releases.list()).map((b) => b.id)));
  }

  async secretsStatus(): Promise<SecretsStatus> {
    try {
      const names = await this.secrets.list();
      return { keychain: 'available', cloudToken: names.includes('cloud-token'), netKeys: names.filter((n) => n.startsWith('net-key:')).map((n) => n.slice('net-key:'.length)) };
    } catch (err) {
      return { keychain: 'unavailable', message: redactSecrets(err instanceof Error ? err.message : String(err)), cloudToken: false, netKeys: [] };
    }
  }

  close(): void {
    this.sync.stop();
    this.gateway.stopCollect();
    void this.jobs.close();
    this.demo.stop();
    this.db.close();
  }

  private toTarget(link: JobTargetRequest, expectedDeviceId?: string): JobTarget {
    switch (link.kind) {
      case 'gateway':
        return gatewayTarget(link.deviceId);
      case 'demo':
        return { link: { kind: 'loopback', name: `${DEMO_PREFIX}${link.deviceId}` }, expectedDeviceId: link.deviceId };
      default:
        return { link, ...(expectedDeviceId ? { expectedDeviceId } : {}) };
    }
  }

  private driverFor(target: JobTarget, smp: DeviceDriver): DeviceDriver {
    if (target.link.kind !== 'loopback' || !target.link.name.startsWith(GATEWAY_TARGET_PREFIX)) return smp;
    const g = this.gateway.current;
    if (!g) throw new SiteflashError('no-gateway', 'The gateway is not connected: connect it on the Connect screen, then retry.');
    if (this.gatewayDriver?.client !== g.client) this.gatewayDriver = { client: g.client, driver: new GatewayDriver({ client: g.client, gatewayBufSize: g.bufSize, ...this.gatewayBatch }) };
    return this.gatewayDriver.driver;
  }

  private openDirect(target: JobTarget): Link {
    const l = target.link;
    if (l.kind === 'loopback' && l.name.startsWith(DEMO_PREFIX)) return this.demo.directLink(l.name.slice(DEMO_PREFIX.length));
    const link = defaultOpenLink(target);
    // Kept so that collecting sees the link open (a job holds it) and does not talk over the job.
    this.directLinks.set(deviceKeyOf(target.link), link);
    return link;
  }

  /** The link a job holds for this device while it is open, else a fresh one for one short exchange. */
  private directLinkFor(target: DirectTargetRequest): Link {
    const held = this.directLinks.get(deviceKeyOf(target));
    if (held?.isOpen) return held;
    return defaultOpenLink({ link: target });
  }

  /** The connected gateway's own port is not a device to ask. */
  private isGatewayPath(target: DirectTargetRequest): boolean {
    return target.kind === 'serial' && this.gateway.info.connected && this.gateway.info.via === target.path;
  }
}
