/**
 * The one contract between the renderer and the core.
 *
 * `Requests` maps each channel (`domain:verb-noun`) to its argument and result types; `Events` maps
 * each event stream to its payload. The core's facade, the Electron IPC wiring, the preload bridge,
 * the browser host and the renderer all derive their types from these two maps: nothing is typed twice.
 *
 * This file is types only (plus constant lists of names) so that both the Node and the web
 * tsconfig can include it.
 */

/** An error as it crosses a process boundary: a stable kind to switch on, a message to read. */
export interface ErrorValue {
  kind: string;
  message: string;
  /** True for input or world faults (wrong image, device gone), false for bugs. */
  userFault: boolean;
  details?: Record<string, unknown>;
}

/** Every request resolves to a result value; it never rejects across the bridge. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorValue };

/** A serial port as the OS reports it. */
export interface PortInfo {
  /** OS path, e.g. `/dev/ttyACM0` or `COM3`; the port's key everywhere. */
  path: string;
  /** USB vendor id as 4 lower-case hex digits, when the port is USB. */
  vendorId?: string;
  /** USB product id as 4 lower-case hex digits, when the port is USB. */
  productId?: string;
  serialNumber?: string;
  manufacturer?: string;
  /** Where siteflash learned of the port: the OS list, or the technician added it by path. */
  source: 'os' | 'by-path';
}

/** A line of the core's log, forwarded to the renderer. Never carries a secret. */
export interface LogLine {
  time: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  namespace: string;
  message: string;
}

/** Facts about the running core, for the Home screen and `siteflash --version`. */
export interface AppInfo {
  version: string;
  host: 'electron' | 'browser' | 'cli';
  platform: string;
  dataDir: string;
}

/** A key siteflash trusts: `image` keys check MCUboot signatures, `release` keys check bundle manifests. */
export interface TrustedKeyInfo {
  name: string;
  type: string;
  role: 'image' | 'release';
  source: 'shipped' | 'imported' | 'given';
  /** SHA-256 of the key bytes MCUboot hashes (= imgtool getpubhash), lower-case hex. */
  fingerprint: string;
  /** A published demo key: whatever it signs proves nothing. */
  demo: boolean;
}

/** One image of a release bundle. */
export interface BundleComponentInfo {
  board: string;
  hwRevisions: string[];
  version: string;
  file: string;
  size: number;
}

/** Where a stored bundle's verification stands. */
export type BundleVerification =
  | { state: 'verified-at-import' }
  | { state: 'verified'; at: string; releaseKey: string }
  | { state: 'failed'; at: string; reason: string; message: string };

/** A release bundle ("system version") kept for offline use. */
export interface BundleInfo {
  id: string;
  systemVersion: string;
  name: string;
  created: string;
  /** Signed with the published demo release key. */
  demo: boolean;
  verification: BundleVerification;
  components: BundleComponentInfo[];
}

/** The verdict on one image file, as the technician sees it. */
export type ImageCheck =
  | { valid: true; fileName: string; size: number; sha256: string; version?: string; signer: string }
  | { valid: false; fileName: string; size: number; category: string; message: string; sha256?: string; version?: string };

/** A file the renderer read from a picker; bytes as base64 so every bridge carries them alike. */
export interface FileUpload {
  fileName: string;
  dataBase64: string;
}

/** What a device says about itself in the field group's `identity` (field-group.md). */
export interface DeviceIdentityInfo {
  /** EUI-64, 16 lower-case hex characters. */
  id: string;
  board: string;
  hw: string;
  role: 'device' | 'gateway';
  mode: 'normal' | 'update';
  /** The LED pattern it shows now (field-group LED names). */
  led: string;
  radio: string;
  pan?: number;
  version: string;
}

/** A device reachable now over serial, BLE or HID, and what it said when asked. */
export interface DeviceSummary {
  link: 'serial' | 'ble' | 'hid';
  /** Serial or HID path, or BLE address. */
  address: string;
  name?: string;
  /** BLE signal strength in dBm. */
  rssi?: number;
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  /** `field`: answered the field group's identity; `os`: a plain Zephyr/MCUboot device. */
  report?: { source: 'field' | 'os'; identity?: DeviceIdentityInfo; osInfo?: string; bufSize?: number; bufCount?: number };
  /** Why asking it failed; the device is listed all the same. */
  queryError?: { kind: string; message: string };
}

/** A kind of link that could not be searched (no Bluetooth adapter, no HID support), and what to do. */
export interface DeviceProblem {
  link: 'serial' | 'ble' | 'hid';
  kind: string;
  message: string;
  hint?: string;
}

/** Channel → argument and result types. */
export interface Requests {
  /** Facts about the running core. */
  'app:get-info': { args: Record<string, never>; result: AppInfo };
  /** Serial ports present now. */
  'ports:list': { args: Record<string, never>; result: PortInfo[] };
  /** Adds a port the OS does not list (pseudo-terminal, rfcomm, a bridge) by its path. */
  'ports:add-by-path': { args: { path: string }; result: PortInfo };
  /** Forgets a port that was added by path. */
  'ports:remove-by-path': { args: { path: string }; result: null };
  /** Trusted keys, shipped and imported. */
  'keys:list': { args: Record<string, never>; result: TrustedKeyInfo[] };
  /** Trusts a public key (PEM) for a role. */
  'keys:import': { args: { name: string; role: 'image' | 'release'; pem: string }; result: TrustedKeyInfo };
  /** Stored release bundles, newest first. */
  'releases:list': { args: Record<string, never>; result: BundleInfo[] };
  /** Imports a bundle archive (.tar / .tar.gz) the technician picked; refused bundles answer `bundle-refused`. */
  'releases:import-file': { args: FileUpload; result: BundleInfo };
  /** Imports a bundle from a folder or archive path on this computer. */
  'releases:import-path': { args: { path: string }; result: BundleInfo };
  /** Imports the demo site's release (signed with the published demo key). */
  'releases:import-demo': { args: Record<string, never>; result: BundleInfo };
  /** Verifies a stored bundle again, now. */
  'releases:verify': { args: { id: string }; result: BundleInfo };
  /** Removes a stored bundle. */
  'releases:remove': { args: { id: string }; result: null };
  /** Verifies one image file offline with the trusted image keys. */
  'image:check': { args: FileUpload; result: ImageCheck };
  /** Looks for devices on every link kind; with `query`, asks each one who it is. */
  'devices:scan': { args: { scanMs?: number; query?: boolean }; result: { devices: DeviceSummary[]; problems: DeviceProblem[] } };
  /** Forwards a renderer log line to the core's log file. */
  'log:write': { args: { level: LogLine['level']; message: string }; result: null };
}

/** Event stream → payload. */
export interface Events {
  /** A serial port appeared. */
  'ports:added': PortInfo;
  /** A serial port went away. */
  'ports:removed': PortInfo;
  /** A line of the core's log. */
  'log:line': LogLine;
}

export type Channel = keyof Requests;
export type EventName = keyof Events;
export type ArgsOf<C extends Channel> = Requests[C]['args'];
export type ResultOf<C extends Channel> = Requests[C]['result'];

/** What `window.siteflash` is, in Electron (preload) and in the browser host alike. */
export interface SiteflashBridge {
  /** Sends one request; resolves to a result value, never rejects. */
  invoke<C extends Channel>(channel: C, args: ArgsOf<C>): Promise<Result<ResultOf<C>>>;
  /** Subscribes to an event stream; returns an unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
}

/** Names of every event stream, for adapters that subscribe to all of them. */
export const EVENT_NAMES = ['ports:added', 'ports:removed', 'log:line'] as const satisfies readonly EventName[];

declare global {
  interface Window {
    siteflash?: SiteflashBridge;
  }
}
