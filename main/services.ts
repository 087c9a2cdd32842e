import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { CollectState, GatewayBatchSettings, JobSnapshot, JobStartRequest, JobTargetRequest, RadioTimeEstimate, SecretsStatus } from '../preload/api';
import { CollectChoices } from './jobs/collect-choices';
import { commission } from './commission/commission';
import { keychainNetKeys } from './commission/net-key';
import { networkJobSpec } from './commission/network-job';
import { netKeyName } from './secrets/secret-names';
import { busyDevice, confirmAction, eraseAction, readSlots, resetAction, type DeviceActionDeps } from './devices/device-actions';
import { DEMO_RADIO, DemoSiteRunner } from './demo/demo-site';
import { estimateRadioTime, type RadioGroup } from './gateway/radio-time';
import { DEFAULT_RADIO } from './sim/radio';
import { SiteflashError } from './errors';
import { GatewayConnection } from './gateway/gateway-connection';
import { createLink, DEFAULT_BAUD_RATE } from './links/factory';
import type { Link } from './links/link';
import type { Logger } from './log/logger';
import type { DeviceDriver } from './jobs/driver';
import { GatewayDriver, gatewayTarget, gatewayTargetParts } from './jobs/gateway-driver';
import { GatewaySelfDriver, gatewaySelfId, gatewaySelfTarget } from './jobs/gateway-self-driver';
import { deviceKeyOf, JobsService } from './jobs/jobs-service';
import { UPDATE_MODE_IDLE_MS } from './jobs/led-checkpoints';
import { RoutingDriver } from './jobs/routing-driver';
import { defaultOpenLink, SmpDriver, type SmpDriverOptions } from './jobs/smp-driver';
import type { JobRelease, JobTarget } from './jobs/types';
import { imageRelease } from './releases/image-release';
import { releaseFromBundle } from './releases/job-release';
import type { ReleasesService } from './releases/releases-service';
import { redactSecrets } from './secrets/redact';
import { SecretStore } from './secrets/secret-store';
import { AppSettingsStore } from './settings/app-settings';
import { recordDeviceAction } from './store/action-audit';
import { openDatabase, type Db } from './store/database';
import { lockJob } from './store/lock-file';
import { AppSync } from './sync/app-sync';
import { annotateHeard, checklistOf, currentSiteList, jobRules, type SiteList } from './site/site-list';

/** Demo devices' links are named `demo/<id>`. */
const DEMO_PREFIX = 'demo/';
/** Through the demo gateway a lost forward is noticed in seconds rather than the real 20 s. */
const DEMO_FORWARD_TIMEOUT_MS = 4000;

/** A device connected directly (serial, BLE, HID, UDP), as a job reaches it. */
export type DirectTargetRequest = Extract<JobTargetRequest, { kind: 'serial' | 'ble' | 'hid' | 'udp' }>;

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
  /** One batch driver per connected gateway (by EUI-64): batches on different gateways run at once. */
  private readonly gatewayDrivers = new Map<string, { client: unknown; driver: GatewayDriver }>();
  private readonly gatewaySelf: GatewaySelfDriver;
  /** The gateway batch settings of the last job that named them (the gateway's defaults until then). */
  private gatewayBatch: GatewayBatchSettings = { batchSize: 10, redundancy: 20 };
  /** Links the jobs opened to direct devices, by device key. */
  private readonly directLinks = new Map<string, Link>();

  constructor(
    private readonly dataDir: string,
    private readonly releases: ReleasesService,
    private readonly log: Logger,
    /** Devices connected directly, found on serial, BLE and HID (the Connect screen's list); the demo's come on top. */
    private readonly directDevices: () => Promise<DirectTargetRequest[]> = async () => [],
    /** The direct driver's timeouts and links (tests), and who holds a job's lock (the CLI names its command). */
    jobOptions: { smp?: SmpDriverOptions; program?: string } = {},
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
    const smp = new SmpDriver({ openLink: (t) => this.openDirect(t), ...jobOptions.smp });
    this.gatewaySelf = new GatewaySelfDriver({ gateway: (id) => this.gateway.get(id), beginInstall: (id) => this.gateway.beginInstall(id) });
    this.jobs = new JobsService({
      db: this.db,
      driver: new RoutingDriver((t) => this.driverFor(t, smp)),
      netKey: keychainNetKeys(this.secrets),
      lockJob: (jobId) => lockJob(dataDir, jobId, jobOptions.program ?? 'the siteflash app'),
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
    const list = this.siteList();
    const c = this.choices.current;
    return {
      ...state,
      devices: annotateHeard(list, state.devices),
      chosen: c.chosen,
      answers: c.answers,
      chosenOneByOne: c.chosenOneByOne ?? [],
      updateSince: c.updateSince,
      updateWindowMs: UPDATE_MODE_IDLE_MS,
      now: this.choices.now(),
      checklist: this.checklistOf(list, state.devices),
    };
  }

  /** The site's list that applies now (main/site/site-list.ts): the demo's while it runs, else the prepared site being worked on. */
  siteList(siteName?: string): SiteList | null {
    const s = this.settings.current;
    return currentSiteList(this.db, join(this.dataDir, 'bundles'), { siteName: siteName ?? s.siteName, siteIds: s.siteIds, demoRunning: this.demo.running });
  }

  /** The site's list as the visit's checklist, counted from the journal; null when no list applies. */
  checklist() {
    return this.checklistOf(this.siteList(), this.gateway.collectState.devices);
  }

  private checklistOf(list: SiteList | null, heard: CollectState['devices']) {
    return list ? checklistOf(this.db, list, [list.catalog.site.name, this.settings.current.siteName], heard) : null;
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

  /**
   * A firmware job that sends one image file (the CLI's `update IMAGE`, `gateway batch IMAGE`): the
   * image is verified here with the trusted image keys, then the job is the same as a release's
   * (the engine's selection rules: board, version with --allow-downgrade, journal and audit rows).
   */
  async startImageJob(path: string, req: Pick<JobStartRequest, 'targets' | 'policy'>, as: { technician?: string; site?: string } = {}): Promise<JobSnapshot> {
    if (req.targets.length === 0) throw new SiteflashError('no-devices', 'Choose at least one device to update.');
    const release = await imageRelease(path, await this.releases.keys.keys('image'));
    return this.startJob({ kind: 'firmware', targets: req.targets, policy: req.policy }, as, release);
  }

  /** Starts a job for any adapter; `as` names who and where when the adapter was told (the CLI's --technician, --site). */
  async startJob(req: JobStartRequest, as: { technician?: string; site?: string } = {}, image?: JobRelease): Promise<JobSnapshot> {
    if (req.targets.length === 0) throw new SiteflashError('no-devices', 'Choose at least one device to update.');
    const s = this.settings.current;
    const site = as.site ?? s.siteName;
    const who = { technician: as.technician || s.technician || userInfo().username, ...(site ? { site } : {}) };
    // A device ticked by itself on Collect, or named one by one by the adapter, counts as chosen one by one (development devices).
    const targets = req.targets.map((t) => {
      const target = this.toTarget(t.link, t.expectedDeviceId);
      const id = t.expectedDeviceId ?? ('deviceId' in t.link ? t.link.deviceId : undefined);
      return t.oneByOne === true || this.choices.isOneByOne(id) ? { ...target, oneByOne: true } : target;
    });
    const kind = req.kind ?? 'firmware';
    if (kind !== 'network' && !image) await this.checkRelease(req);
    const release = kind === 'network' ? null : (image ?? (await releaseFromBundle(this.releases.bundles, req.bundleId ?? '')));
    if (req.gatewayBatch) {
      this.gatewayBatch = req.gatewayBatch;
      for (const held of this.gatewayDrivers.values()) held.driver.configureBatches(req.gatewayBatch);
    }
    if (kind === 'firmware') {
      // Only a firmware job takes the Collect answer: in a commissioning the network phase's reset ends update mode first.
      // The answer and its time are the ones the core recorded on Collect, never a time the renderer sent.
      const answered = targets.map((t, i) => {
        const r = req.targets[i];
        const led = this.choices.answerFor(r?.expectedDeviceId ?? (r && 'deviceId' in r.link ? r.link.deviceId : undefined));
        return led ? { ...t, updateModeLed: { seen: led.seen, at: led.at } } : t;
      });
      const rules = this.rulesFor(as.site);
      return this.jobs.get(this.jobs.start({ release: release!, targets: this.gatewaysFirst(answered, release!), policy: req.policy, ...who, ...(Object.keys(rules).length > 0 ? { rules } : {}) }));
    }
    const network = req.network!;
    if (!(await this.secrets.has(netKeyName(network.projectId)))) {
      throw new SiteflashError('net-key-missing', `No network key is stored for project ${network.projectId}: set it on the Home screen first.`);
    }
    if (kind === 'network') return this.jobs.get(this.jobs.start(networkJobSpec({ targets, network, policy: req.policy, ...who })));
    // Commissioning starts its network phase at once, then the release on every device that rejoined.
    const before = new Set(this.jobs.list().map((j) => j.id));
    // Its firmware phase follows the same fleet rules and gateway-first order as any firmware job.
    const arrange = (t: JobTarget[]) => this.gatewaysFirst(t, release!);
    void commission(this.jobs, { targets, network, policy: req.policy, release: release!, rules: this.rulesFor(as.site), arrange, ...who }).catch((err: unknown) =>
      this.log.error(`commissioning stopped: ${err instanceof Error ? err.message : String(err)}`),
    );
    const started = this.jobs.list().find((j) => !before.has(j.id));
    if (!started) throw new SiteflashError('internal', 'Commissioning did not start its network phase.', false);
    return started;
  }

  /** The fleet rules of the site's list, which go with every firmware job (and its journal), for every adapter. */
  private rulesFor(siteName: string | undefined) {
    const list = this.siteList(siteName);
    return list ? jobRules(list) : {};
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
    const onDemoSite = (t: JobTargetRequest) => t.kind === 'demo' || (t.kind === 'gateway' && this.gateway.reaching(t)?.info.via === 'demo');
    if (info.demo && !req.targets.every((t) => onDemoSite(t.link))) {
      throw new SiteflashError('demo-release-real-device', `The release ${id} is signed with a demo key, which protects nothing: it can only update the demo site's simulated devices. The job was not started.`, true, { bundleId: id });
    }
  }

  /** Starts the demo site and connects its gateway as one of the app's gateways. */
  async startDemo() {
    const link = this.demo.start();
    if (!this.gateway.all.some((g) => g.link === link)) await this.gateway.connect(link, 'demo', { forwardTimeoutMs: DEMO_FORWARD_TIMEOUT_MS });
    return this.demo.snapshot();
  }

  async stopDemo() {
    const demo = this.gateway.all.find((g) => g.info.via === 'demo');
    if (demo?.info.id) await this.gateway.disconnect(demo.info.id);
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

  /** Device details: the slots of a directly connected device. */
  deviceSlots(target: JobTargetRequest) {
    return readSlots(this.actionDeps(target));
  }

  /** Device details: erase, confirm or reset a directly connected device (main/devices/device-actions.ts); each writes an audit row. */
  deviceAction(target: JobTargetRequest, action: { erase: number | undefined } | { confirm: string | undefined } | 'reset') {
    const deps = this.actionDeps(target);
    if (action === 'reset') return resetAction(deps);
    return 'erase' in action ? eraseAction(deps, action.erase) : confirmAction(deps, action.confirm);
  }

  private actionDeps(target: JobTargetRequest): DeviceActionDeps {
    const s = this.settings.current;
    return {
      now: () => Date.now(),
      record: (r) => recordDeviceAction(this.db, { ...r, technician: s.technician || userInfo().username, site: s.siteName || null, at: Date.now() }),
      claim: () => {
        if (target.kind === 'gateway') throw new SiteflashError('not-direct', 'Slots can be read and changed only on a device connected directly (serial, Bluetooth, USB HID), not through the gateway.');
        if (target.kind === 'demo') {
          const link = this.demo.directLink(target.deviceId);
          if (link.isOpen) throw busyDevice(link.id);
          return { link, release: () => undefined };
        }
        const key = deviceKeyOf(target);
        const held = this.directLinks.get(key);
        if (held?.isOpen) throw busyDevice(held.id);
        const link = defaultOpenLink({ link: target });
        // Held like a job's link: Collect sees it open and does not talk over the action.
        this.directLinks.set(key, link);
        return { link, release: () => void (this.directLinks.get(key) === link && this.directLinks.delete(key)) };
      },
    };
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
        // Named when the technician's choice named it or several gateways are connected: the key then says which one.
        return gatewayTarget(link.deviceId, link.gatewayId ?? (this.gateway.all.length > 1 ? this.gateway.routeOf(link.deviceId)?.info.id : undefined));
      case 'demo':
        return { link: { kind: 'loopback', name: `${DEMO_PREFIX}${link.deviceId}` }, expectedDeviceId: link.deviceId };
      default:
        return { link, ...(expectedDeviceId ? { expectedDeviceId } : {}) };
    }
  }

  private driverFor(target: JobTarget, smp: DeviceDriver): DeviceDriver {
    if (gatewaySelfId(target)) return this.gatewaySelf;
    const parts = gatewayTargetParts(target);
    if (!parts) return smp;
    const g = this.gateway.reaching(parts);
    if (!g?.info.id) throw new SiteflashError('no-gateway', `The gateway${parts.gatewayId ? ` ${parts.gatewayId}` : ''} is not connected: connect it on the Connect screen, then retry.`);
    let held = this.gatewayDrivers.get(g.info.id);
    if (held?.client !== g.client) {
      held = { client: g.client, driver: new GatewayDriver({ client: g.client, gatewayBufSize: g.bufSize, ...this.gatewayBatch }) };
      this.gatewayDrivers.set(g.info.id, held);
    }
    return held.driver;
  }

  /**
   * The vendor's procedure: when the release has an image for a gateway's own board (the board
   * the gateway reports), that gateway is updated first and its devices wait for it (`after`);
   * a gateway the job does not reach through is left alone.
   */
  private gatewaysFirst(targets: JobTarget[], release: { components: { board: string | null }[] }): JobTarget[] {
    const first: JobTarget[] = [];
    const out = targets.map((t) => {
      const parts = gatewayTargetParts(t);
      const g = parts ? this.gateway.reaching(parts) : null;
      const id = g?.info.id;
      if (!id || !release.components.some((c) => c.board !== null && c.board === g.info.board)) return t;
      const self = gatewaySelfTarget(id);
      if (!first.some((f) => gatewaySelfId(f) === id)) first.push(self);
      return { ...t, after: deviceKeyOf(self.link) };
    });
    return [...first, ...out];
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

  /** A connected gateway's own port is not a device to ask. */
  private isGatewayPath(target: DirectTargetRequest): boolean {
    return target.kind === 'serial' && this.gateway.all.some((g) => g.info.via === target.path);
  }
}
