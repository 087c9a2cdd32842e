import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { AppInfo, ArgsOf, Channel, EventName, Events, Result, ResultOf } from '../preload/api';
import { EVENT_NAMES } from '../preload/api';
import { SiteflashError, toErrorValue } from './errors';
import { LogHub, type Logger } from './log/logger';
import { osPortLister, type PortLister } from './ports/os-ports';
import { PortWatcher } from './ports/port-watcher';
import { DeviceFinder } from './devices/device-finder';
import { loadNoble } from './links/ble-noble';
import type { DeviceSources } from './links/device-list';
import { loadNodeHid } from './links/hid-node';
import { ReleasesService } from './releases/releases-service';
import { argSchemas } from './schemas';
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
}

type Handlers = { [C in Channel]: (args: ArgsOf<C>) => Promise<ResultOf<C>> };

/**
 * The core's one facade. Electron IPC, the browser host and the CLI are thin adapters over it:
 * they pass a channel name and untrusted arguments, and get back a result value. Arguments are
 * validated here, once, for every adapter; nothing thrown inside escapes as a rejection.
 */
export class Core {
  readonly log: Logger;
  readonly logs: LogHub;
  readonly ports: PortWatcher;
  readonly releases: ReleasesService;
  readonly devices: DeviceFinder;
  private readonly events = new EventEmitter();
  private readonly handlers: Handlers;

  constructor(readonly options: CoreOptions) {
    this.logs = new LogHub(options.logToFile === false ? null : join(options.dataDir, 'logs', 'siteflash.log'));
    this.log = this.logs.logger('siteflash');
    this.ports = new PortWatcher(options.portLister ?? osPortLister(), this.log.child('ports'), options.portPollMs);
    this.ports.on('added', (p) => this.emit('ports:added', p));
    this.ports.on('removed', (p) => this.emit('ports:removed', p));
    this.releases = new ReleasesService(options.dataDir, this.log.child('releases'));
    this.devices = new DeviceFinder(
      { serial: () => this.ports.list(), ...(options.deviceSources ?? { noble: loadNoble, hid: loadNodeHid }) },
      this.log.child('devices'),
    );
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
      'devices:scan': (args) => this.devices.scan(args),
      'log:write': async ({ level, message }) => (this.logs.logger('siteflash:renderer')[level](message), null),
    };
  }

  /** Starts background work (port watching). */
  start(): this {
    this.ports.start();
    return this;
  }

  async close(): Promise<void> {
    this.ports.stop();
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
      const error = toErrorValue(err);
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

  private emit<E extends EventName>(event: E, payload: Events[E]): void {
    this.events.emit(event, payload);
  }
}

/** Is this string one of the contract's channels? (Adapters receive untrusted names.) */
export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.hasOwn(argSchemas, name);
}

export { SiteflashError };
