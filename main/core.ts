import { EventEmitter } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppInfo, ArgsOf, Channel, DeviceSummary, EventName, Events, HistoryFilter, Result, ResultOf } from '../preload/api';
import { EVENT_NAMES } from '../preload/api';
import { SiteflashError, toErrorValue } from './errors';
import { LogHub, type Logger } from './log/logger';
import { osPortLister, type PortLister } from './ports/os-ports';
import { PortWatcher } from './ports/port-watcher';
import { AddedLinks } from './settings/added-links';
import { DeviceFinder } from './devices/device-finder';
import { loadNoble } from './links/ble-noble';
import type { DeviceSources } from './links/device-list';
import { loadNodeHid } from './links/hid-node';
import { MAX_IMPORT_BYTES, ReleasesService } from './releases/releases-service';
import { UploadStaging } from './releases/upload-staging';
import { setNetKey } from './commission/net-key';
import { redactSecrets } from './secrets/redact';
import { secretsFacade } from './secrets/secrets-facade';
import { laptopKey, publicPart } from './secrets/laptop-key';
import { exportVisitReport, visitOfJob } from './report/export';
import { listVisits } from './report/visits';
import { chromiumPdfPrinter, type PdfPrinter } from './report/pdf';
import { argSchemas } from './schemas';
import { Services, type DirectTargetRequest } from './services';
import type { SmpDriverOptions } from './jobs/smp-driver';
import { databaseFaultOf } from './store/storage-fault';
import { runPreflight } from './preflight/preflight';
import { corePreflightEnv } from './preflight/preflight-env';
import { version } from '../package.json';

/** How a core is started; every outside dependency can be replaced. */
export interface CoreOptions {
  dataDir: string;
  host: AppInfo['host'];
  /** Serial port lister; defaults to the OS list. */
  portLister?: PortLister;
  /** Port poll interval in ms (default 1000). */
  portPollMs?: number;
  /** BLE and HID libraries for the device list; the real ones (loaded on first use) by default. */
  deviceSources?: Omit<DeviceSources, 'serial'>;
  /** Log to `<dataDir>/logs/siteflash.log` (default true). */
  logToFile?: boolean;
  /** Prints visit reports to PDF; Chromium's headless print-to-PDF by default, Electron's in the app. */
  printPdf?: PdfPrinter;
  /** The direct driver's timeouts and links (tests), and the program named in job locks (the CLI's command). */
  jobs?: { smp?: SmpDriverOptions; program?: string };
}

type Handlers = { [C in Channel]: (args: ArgsOf<C>) => Promise<ResultOf<C>> };

/**
 * The core's one facade. Electron IPC, the browser host and the CLI are thin adapters over it:
 * they pass a channel name and untrusted arguments, and get back a result value. Arguments are
 * validated here, once, for every adapter; nothing thrown inside escapes as a rejection.
 */
/** The longest a scan's or a device end's change waits before it reaches Collect (see `collectSoon`). */
const COLLECT_COALESCE_MS = 250;

export class Core {
  readonly log: Logger;
  readonly logs: LogHub;
  readonly ports: PortWatcher;
  readonly releases: ReleasesService;
  readonly devices: DeviceFinder;
  readonly services: Services;
  /** Files the renderer sends in chunks, staged under the data folder. */
  readonly uploads: UploadStaging;
  private readonly events = new EventEmitter();
  private collectPending: NodeJS.Timeout | null = null;
  /** Set by {@link close}: nothing is scheduled any more (the database is about to close). */
  private closing = false;
  private readonly handlers: Handlers;
  /** What the last "Find devices" listed: its BLE and HID devices are collected as direct devices. */
  private found: DeviceSummary[] = [];

  constructor(readonly options: CoreOptions) {
    this.logs = new LogHub(options.logToFile === false ? null : join(options.dataDir, 'logs', 'siteflash.log'));
    this.log = this.logs.logger('siteflash');
    // Ports and addresses the technician added by hand are still there after a restart.
    const added = new AddedLinks(options.dataDir);
    this.ports = new PortWatcher(options.portLister ?? osPortLister(), this.log.child('ports'), options.portPollMs, undefined, added);
    this.ports.on('added', (p) => this.emit('ports:added', p));
    this.ports.on('removed', (p) => this.emit('ports:removed', p));
    this.releases = new ReleasesService(options.dataDir, this.log.child('releases'));
    this.devices = new DeviceFinder(
      { serial: () => this.ports.list(), ...(options.deviceSources ?? { noble: loadNoble, hid: loadNodeHid }) },
      this.log.child('devices'),
      undefined,
      added,
    );
    this.services = new Services(options.dataDir, this.releases, this.log, () => this.directTargets(), options.jobs);
    this.uploads = new UploadStaging(join(options.dataDir, 'staging'), this.log.child('uploads'), { maxBytes: MAX_IMPORT_BYTES });
    this.wireEvents();
    this.logs.addRedactor(redactSecrets);
    this.logs.onLine((line) => this.emit('log:line', line));
    this.events.setMaxListeners(100);
    this.handlers = {
      'app:get-info': async () => ({ version, host: options.host, platform: process.platform, dataDir: options.dataDir }),
      'ports:list': () => this.ports.list(),
      'ports:add-by-path': ({ path }) => this.ports.addManual(path),
      'ports:remove-by-path': async ({ path }) => (await this.ports.removeManual(path), null),
      'keys:list': () => this.releases.listKeys(),
      'keys:import': ({ name, role, pem }) => this.releases.importKey(name, role, pem),
      'releases:list': () => this.releases.list(),
      'releases:import-file': ({ fileName, dataBase64 }) => this.releases.importBytes(fileName, Buffer.from(dataBase64, 'base64')),
      'releases:import-path': ({ path }) => this.releases.importPath(path),
      'releases:import-demo': () => this.releases.importDemo(),
      'releases:verify': ({ id }) => this.releases.verify(id),
      'releases:remove': async ({ id }) => (await this.releases.remove(id), null),
      'image:check': ({ fileName, dataBase64 }) => this.releases.checkImage(fileName, Buffer.from(dataBase64, 'base64')),
      'upload:begin': ({ fileName, size }) => this.uploads.begin(fileName, size),
      'upload:chunk': ({ uploadId, seq, data }) => this.uploads.write(uploadId, seq, data),
      'upload:abort': async ({ uploadId }) => (await this.uploads.abort(uploadId), null),
      'releases:import-upload': ({ uploadId }) => this.uploads.finish(uploadId, (path) => this.releases.importPath(path)),
      'image:check-upload': ({ uploadId }) => this.uploads.finish(uploadId, (path, fileName) => this.releases.checkImageAt(fileName, path)),
      'devices:scan': async (args) => {
        const found = await this.devices.scan(args);
        this.found = found.devices;
        return found;
      },
      'settings:get': async () => this.services.settings.current,
      'settings:set': async (change) => {
        const before = this.services.settings.current;
        const after = this.services.settings.update(change);
        if (after.cloudUrl !== before.cloudUrl || after.siteIds.join() !== before.siteIds.join()) this.services.sync.configure(after.cloudUrl, after.siteIds);
        return after;
      },
      'sync:status': async () => this.services.sync.status,
      'sync:now': () => this.services.sync.syncNow(),
      'sync:prepare': ({ siteIds }) => this.services.prepareVisit(siteIds),
      'secrets:status': () => this.services.secretsStatus(),
      'secrets:set-net-key': async ({ projectId, keyHex }) => (await setNetKey(secretsFacade(this.services.secrets), projectId, keyHex), null),
      'secrets:set-cloud-token': async ({ token }) => (await this.services.secrets.set('cloud-token', token), null),
      'job:start': (req) => this.services.startJob(req),
      'job:list': async () => this.services.jobs.list(),
      'job:pause': async ({ jobId, deviceKey }) => (this.services.jobs.pause(jobId, deviceKey), this.services.jobs.get(jobId)),
      'job:resume': async ({ jobId, deviceKey }) => (this.services.jobs.resume(jobId, deviceKey), this.services.jobs.get(jobId)),
      'job:cancel': async ({ jobId, deviceKey }) => (this.services.jobs.cancel(jobId, deviceKey), this.services.jobs.get(jobId)),
      'job:answer-led': async ({ jobId, deviceKey, seen }) => {
        if (!this.services.jobs.answerLed(jobId, deviceKey, seen)) throw new SiteflashError('no-led-question', 'That device is not waiting for an LED answer (any more).');
        return this.services.jobs.get(jobId);
      },
      'job:retry-failed': async ({ jobId }) => (this.services.jobs.retryFailed(jobId), this.services.jobs.get(jobId)),
      'history:query': async (filter) => this.services.jobs.history(filter),
      'history:export-csv': (filter) => this.exportCsv(filter),
      'gateway:connect': ({ path, baudRate }) => this.services.connectGateway(path, baudRate),
      'gateway:status': async () => this.services.gateway.info,
      'gateway:disconnect': ({ id }) => this.services.gateway.disconnect(id),
      'gateway:list': async () => this.services.gateway.infos,
      'collect:start': async () => this.services.collectView(this.services.gateway.startCollect()),
      'collect:stop': async () => this.services.collectView(this.services.gateway.stopCollect()),
      'collect:answer-led': async ({ deviceId, seen }) => (this.services.choices.answer(deviceId, seen), this.services.collectView()),
      'collect:choose': async ({ deviceId, on, oneByOne }) => (this.services.choices.choose(deviceId, on, oneByOne === true), this.services.collectView()),
      'collect:choose-many': async ({ deviceIds, on }) => (this.services.choices.chooseMany(deviceIds, on), this.services.collectView()),
      'collect:confirm-leds': async ({ exceptions }) => (this.services.choices.confirmChosen(exceptions), this.services.collectView()),
      'gateway:radio-time': (req) => this.services.radioTime(req),
      'devices:identify': ({ target }) => this.services.identify(target),
      'demo:start': () => this.services.startDemo(),
      'demo:status': async () => this.services.demo.snapshot(),
      'demo:stop': () => this.services.stopDemo(),
      'demo:update-mode': async ({ deviceId }) => this.services.demo.enterUpdateMode(deviceId),
      'demo:inject-failure': async ({ deviceId }) => this.services.demo.injectFailure(deviceId),
      'log:write': async ({ level, message }) => (this.logs.logger('siteflash:renderer')[level](message), null),
      'keys:laptop': async () => publicPart(await laptopKey(this.services.secrets)),
      'report:visits': async () => listVisits(this.services.db),
      'report:export': (which) => this.exportReport(which),
      'report:export-pdf': async (which) => {
        const files = await this.exportReport(which);
        const pdf = await (options.printPdf ?? chromiumPdfPrinter())(files.html);
        return { visitId: files.visitId, fileName: files.fileName.replace(/\.json$/, '.pdf'), pdfBase64: pdf.toString('base64') };
      },
      'device:image-state': ({ target }) => this.services.deviceSlots(target),
      'device:image-erase': ({ target, slot }) => this.services.deviceAction(target, { erase: slot }),
      'device:image-confirm': ({ target, hash }) => this.services.deviceAction(target, { confirm: hash }),
      'device:reset': ({ target }) => this.services.deviceAction(target, 'reset'),
      'devices:add-address': ({ address }) => this.devices.addAddress(address),
      'devices:remove-address': async ({ address }) => (this.devices.removeAddress(address), null),
      'site:checklist': async () => this.services.checklist(),
      'preflight:run': (req) => runPreflight(this.preflightEnv(), req),
    };
  }

  /** The preflight checks' view of this computer, the journal, the catalog and the devices heard. */
  private preflightEnv() {
    const sources = this.options.deviceSources;
    const noBle = async (): Promise<never> => Promise.reject(new Error('this setup has no Bluetooth library'));
    return corePreflightEnv({
      dataDir: this.options.dataDir,
      db: this.services.db,
      noble: sources ? (sources.noble ?? noBle) : loadNoble,
      keychain: this.services.secrets,
      siteIds: () => this.services.settings.current.siteIds,
      releases: () => this.releases.list(),
      heard: () => this.services.collectView().devices,
    });
  }

  /** The signed report of a visit, named by its id or by one of its jobs. */
  private exportReport({ visitId, jobId }: { visitId?: string | undefined; jobId?: string | undefined }) {
    return exportVisitReport(this.services.db, this.services.secrets, { visitId: visitId ?? visitOfJob(this.services.db, jobId ?? ''), now: Date.now(), appVersion: version });
  }

  /** Starts background work (port watching) and resumes jobs the journal left unfinished. */
  start(): this {
    this.ports.start();
    void this.uploads.clearLeftovers();
    this.services.resume();
    return this;
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.collectPending) clearTimeout(this.collectPending);
    this.collectPending = null;
    this.ports.stop();
    this.services.close();
    await this.uploads.close();
    this.events.removeAllListeners();
  }

  /** Validates the arguments and runs the request. Never rejects. */
  async invoke<C extends Channel>(channel: C, rawArgs: unknown): Promise<Result<ResultOf<C>>> {
    if (!Object.hasOwn(this.handlers, channel)) {
      return { ok: false, error: { kind: 'unknown-channel', message: `No such request: ${String(channel)}`, userFault: false } };
    }
    const parsed = argSchemas[channel].safeParse(rawArgs ?? {});
    if (!parsed.success) {
      const message = parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; ');
      return { ok: false, error: { kind: 'bad-request', message: `Bad request for ${channel}: ${message}`, userFault: false } };
    }
    try {
      const handler = this.handlers[channel] as (args: ArgsOf<C>) => Promise<ResultOf<C>>;
      return { ok: true, value: await handler(parsed.data) };
    } catch (err) {
      // A database the disk refuses is named, with what to do, rather than shown as an internal error.
      const error = toErrorValue(databaseFaultOf(err, this.services.db.name) ?? err);
      if (!error.userFault) this.log.error(`${channel} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return { ok: false, error };
    }
  }

  /** Subscribes to an event stream; returns an unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
    this.events.on(event, listener);
    return () => this.events.off(event, listener);
  }

  /** Subscribes to every event stream at once (for adapters that forward all of them). */
  onAny(listener: <E extends EventName>(event: E, payload: Events[E]) => void): () => void {
    const offs = EVENT_NAMES.map((name) => this.on(name, (payload) => listener(name, payload)));
    return () => offs.forEach((off) => off());
  }

  /** The services' own events, forwarded as the contract's event streams. */
  private wireEvents(): void {
    const s = this.services;
    s.jobs.on('job:progress', (e) => this.emit('job:progress', e));
    s.jobs.on('job:device-state', (e) => this.emit('job:device-state', e));
    s.jobs.on('job:led-prompt', (e) => this.emit('job:led-prompt', e));
    s.jobs.on('job:state', (e) => this.emit('job:state', e));
    s.sync.onStatus((e) => this.emit('sync:status', e));
    s.gateway.collectChanges.add(() => this.collectSoon());
    s.choices.changes.add(() => this.emit('collect:changed', s.collectView()));
    s.gateway.changes.add((e) => this.emit('gateway:changed', e));
    s.gateway.listChanges.add((e) => this.emit('gateway:list-changed', e));
    s.demo.onChange((e) => this.emit('demo:changed', e));
    // A device's end moves the site's checklist.
    s.jobs.on('job:device-state', (e) => {
      if (['done', 'failed', 'rolled-back', 'cancelled'].includes(e.to)) this.collectSoon();
    });
  }

  /**
   * Scans (every gateway's) and device ends move Collect often, and each update is the whole list of
   * devices heard with the site's checklist: at most one such update per {@link COLLECT_COALESCE_MS}
   * goes out, made when it goes, so it is always the latest. With 200 devices ending one after
   * another, one update each buried a slow page under tens of MB it had not read yet (the host then
   * drops it). The technician's own choices still go out at once.
   */
  private collectSoon(): void {
    if (this.closing || this.collectPending) return;
    this.collectPending = setTimeout(() => {
      this.collectPending = null;
      this.emit('collect:changed', this.services.collectView());
    }, COLLECT_COALESCE_MS);
  }

  /** Devices connected directly: every serial port listed now (the OS's and those added by path), the BLE and HID devices found last, and those added by network address. */
  private async directTargets(): Promise<DirectTargetRequest[]> {
    const serial = (await this.ports.list()).map((p): DirectTargetRequest => ({ kind: 'serial', path: p.path }));
    const other = this.found.flatMap((d): DirectTargetRequest[] => (d.link === 'ble' ? [{ kind: 'ble', address: d.address }] : d.link === 'hid' ? [{ kind: 'hid', path: d.address }] : []));
    const udp = this.devices.addresses().map((a): DirectTargetRequest => ({ kind: 'udp', ...a }));
    return [...serial, ...other, ...udp];
  }

  private async exportCsv(filter: HistoryFilter): Promise<{ fileName: string; csv: string; rows: number }> {
    const dir = await mkdtemp(join(tmpdir(), 'siteflash-csv-'));
    try {
      const path = join(dir, 'history.csv');
      const rows = await this.services.jobs.exportCsv(filter, path);
      const csv = await readFile(path, 'utf8');
      const day = new Date().toISOString().slice(0, 10);
      const site = (this.services.settings.current.siteName || 'siteflash').replace(/[^A-Za-z0-9._-]+/g, '-');
      return { fileName: `${site}-history-${day}.csv`, csv, rows };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private emit<E extends EventName>(event: E, payload: Events[E]): void {
    this.events.emit(event, payload);
  }
}

/** Is this string one of the contract's channels? (Adapters receive untrusted names.) */
export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.hasOwn(argSchemas, name);
}

export { SiteflashError };
