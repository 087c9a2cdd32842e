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

/** A device reachable now over serial, BLE, HID or UDP, and what it said when asked. */
export interface DeviceSummary {
  link: 'serial' | 'ble' | 'hid' | 'udp';
  /** Serial or HID path, BLE address, or `udp:HOST:PORT`. */
  address: string;
  /** How a job or the device details reach it, when the address alone does not say (UDP devices). */
  target?: JobTargetRequest;
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

// The batch engine's snapshots and events are plain data defined beside the engine (types only,
// no Node imports); the contract re-exports them so that every side names them from here.
export type {
  AuditEntry,
  DeviceSnapshot,
  DeviceState,
  DeviceStateEvent,
  EndState,
  HistoryFilter,
  JobPolicy,
  JobProgressEvent,
  JobSnapshot,
  JobState,
  LedAnswer,
  LedPrompt,
  ProgressFigures,
} from '../main/jobs/types';
import type { AuditEntry, DeviceStateEvent, HistoryFilter, JobHalt, JobPolicy, JobProgressEvent, JobSnapshot, JobState, LedPrompt } from '../main/jobs/types';

/** How a job reaches one device, as the renderer names it. */
export type JobTargetRequest =
  | { kind: 'serial'; path: string; baudRate?: number }
  | { kind: 'ble'; address: string }
  | { kind: 'hid'; path: string }
  /** SMP over UDP (smp.md §8), a device added by its network address. */
  | { kind: 'udp'; host: string; port: number }
  /**
   * A device behind a connected gateway, by EUI-64; `gatewayId` names the gateway the job goes
   * through (absent: the one that hears it best on Collect, or the only one connected).
   */
  | { kind: 'gateway'; deviceId: string; gatewayId?: string }
  /** A direct device of the demo site, by EUI-64. */
  | { kind: 'demo'; deviceId: string };

/** A project's network settings; the key is not here: it comes from the keychain by project. */
export interface NetworkSettingsRequest {
  projectId: string;
  panId: number;
  channel: number;
  security: 'none' | 'aes-ccm-32' | 'aes-ccm-64' | 'aes-ccm-128';
}

/**
 * What the technician starts: `firmware` (default) sends a stored release; `network` writes the
 * project's network settings (re-keying); `commission` does both in one visit, network first, then
 * the release on every device that rejoined.
 */
export interface JobStartRequest {
  kind?: 'firmware' | 'network' | 'commission';
  /** The release to send (firmware and commission). */
  bundleId?: string;
  /** The settings to write (network and commission). */
  network?: NetworkSettingsRequest;
  targets: {
    link: JobTargetRequest;
    expectedDeviceId?: string;
    /** Chosen by itself, not by "select all" (the CLI's named devices): a development device is updated only then. */
    oneByOne?: boolean;
    /**
     * Ignored: the core uses the answer it recorded on Collect (`collect:answer-led`), with its own
     * time, and records it instead of asking again while it is under 10 minutes old (field-group.md).
     */
    updateModeLed?: { seen: boolean; at: number };
  }[];
  policy: JobPolicy;
  /** Gateway batches (devices behind the gateway only): devices per radio batch and percent of parity fragments; the gateway's defaults (10, 20) when absent. */
  gatewayBatch?: GatewayBatchSettings;
}

/** How a gateway sends one image over its radio (field-group.md `batch`). */
export interface GatewayBatchSettings {
  /** Devices per radio batch, 1–100. */
  batchSize: number;
  /** Percent of extra parity fragments, 0–100. */
  redundancy: number;
}

/** The least radio time a gateway update needs (the core's estimate from the radio model), before repairs and installs. */
export interface RadioTimeEstimate {
  devices: number;
  batches: number;
  batchSize: number;
  redundancy: number;
  /** Milliseconds of radio time, duty cycle included. */
  radioMs: number;
  /** The radio model the estimate used. */
  model: { bitRate: number; fragmentSize: number; frameOverhead: number; dutyCycle: number; frameAirtimeMs: number };
}

/** The technician's settings; nothing secret (the cloud token is in the keychain). */
export interface AppSettings {
  /** The site being worked on. */
  siteName: string;
  /** Who does the work (for the audit log). */
  technician: string;
  /** The fleet cloud's base URL; empty: sync is off and results wait on this computer. */
  cloudUrl: string;
  /** Sites prepared for (their catalogs and bundles are kept for offline use). */
  siteIds: string[];
}

/** What the app shows about sync. */
export interface SyncStatus {
  /** Whether the cloud answered the last probe or request; null before the first or when none is set up. */
  online: boolean | null;
  syncing: boolean;
  /** Epoch ms of the last completed sync, null if never. */
  lastSyncAt: number | null;
  /** Results and audit rows waiting to be uploaded. */
  waiting: number;
  /** The last error in words; never contains a secret. */
  lastError: string | null;
  lastErrorKind: string | null;
}

/** What preparing for a visit brought: each site's catalog and the release bundles its devices need. */
export interface VisitPreparation {
  sites: {
    id: string;
    name: string;
    project: string;
    devices: number;
    /** Bundles of the system versions the site's devices should run, and whether they are here now. */
    bundles: { id: string; version: string; state: 'stored' | 'downloaded' | 'failed'; message?: string }[];
  }[];
  /** Why nothing (or not everything) could be fetched, in words. */
  error?: string;
}

/** Whether secrets are set; their values never reach the renderer. */
export interface SecretsStatus {
  keychain: 'available' | 'unavailable';
  /** Why the keychain is unavailable and what to do. */
  message?: string;
  cloudToken: boolean;
  /** Projects whose network key is set. */
  netKeys: string[];
}

/** The gateway the laptop talks to, if any. */
export interface GatewayInfo {
  connected: boolean;
  /** How it is reached: a serial port path, or `demo`. */
  via?: string;
  id?: string;
  board?: string;
  version?: string;
  /** Why it is not connected (after a failure). */
  message?: string;
  /** Short name for lists (end of its EUI-64 and its port). */
  label?: string;
  /** `installing`: the gateway is installing its own firmware (do not power it off while its LED blinks). */
  state?: 'ready' | 'installing';
}

/** A device heard while collecting: through the gateway's radio scan, or connected directly. */
export interface HeardDevice {
  id: string;
  board: string;
  hw: string;
  version: string;
  mode: 'normal' | 'update';
  led: string;
  /** Signal strength at the gateway, dBm (gateway devices only). */
  rssi?: number;
  via: 'gateway' | 'direct';
  /** The gateway it was heard through (the one that hears it best when several do); null when connected directly. */
  gateway: { id: string; label: string } | null;
  /** How a job reaches it. */
  target: JobTargetRequest;
  /** Its name on the site's list; absent when the list does not know it (or there is no list). */
  name?: string;
  /** Where it is mounted, from the site's list. */
  location?: string | null;
  /** On the site's list; false: heard but "not on the site's list"; absent when there is no list. */
  onList?: boolean;
  /** The fleet rule that applies to it, from the site's list; absent when none. */
  rule?: FleetRuleInfo;
}

/** The fleet rule that applies to one device (precedence: device pin, device target, group target, site target). */
export interface FleetRuleInfo {
  /** In words, e.g. "pinned to 1.4.2+0" or "locked: warranty case 4411". */
  text: string;
  /** Why nothing may be installed; null when not locked. */
  locked: string | null;
  /** Updated only when the technician chooses it one by one. */
  development: boolean;
  /** The image version it must run (its pin), over every target. */
  pinnedVersion: string | null;
  /** The target system version when there is no pin, and where it comes from. */
  target: { version: string; from: 'device' | 'group' | 'site' } | null;
}

/** A device of the site's list and where it stands. */
export interface SiteListDevice {
  id: string;
  name: string;
  location: string | null;
  board: string;
  hwRev: string | null;
  rule: FleetRuleInfo | null;
  /** The image version that counts as done; null when the list's target is not known here (its release is not stored). */
  expectedVersion: string | null;
  /** Its latest result at this site shows the expected version installed (any "done" when none is known). */
  done: boolean;
  /** Its latest result journaled at this site (cancellations aside), if any. */
  last: { result: 'done' | 'failed' | 'rolled-back'; version: string | null; at: number; reason: string | null } | null;
  /** Heard on Collect now. */
  heard: boolean;
}

/**
 * The site's device list as the visit's checklist: the catalog of the site being worked on (the one
 * prepared, or the demo's), counted by the core from the journal.
 */
export interface SiteChecklist {
  siteId: string;
  siteName: string;
  /** The demo site's own list. */
  demo: boolean;
  total: number;
  done: number;
  toDo: number;
  /** Every device of the list, to-do ones first. */
  devices: SiteListDevice[];
  /** Ids of devices heard on Collect that are not on the list. */
  notOnList: string[];
}

/** What the Collect screen shows: devices heard, update-mode ones first. */
export interface CollectState {
  scanning: boolean;
  devices: HeardDevice[];
  /** Epoch ms of the last scan answer. */
  updatedAt: number | null;
  /** The last scan failure in words. */
  error: string | null;
  /** Ids of the devices chosen for the update, in the order chosen (kept by the core: a reload keeps them). */
  chosen?: string[];
  /** The technician's update-mode LED answers by device id, stamped with the core's clock (epoch ms). */
  answers?: Record<string, { seen: boolean; at: number }>;
  /** Ids of the chosen devices the technician chose one by one (not by "select all"): only these development devices are updated. */
  chosenOneByOne?: string[];
  /** The site's list as a checklist; null when no site list applies (nothing prepared, no demo). */
  checklist?: SiteChecklist | null;
  /** When each device now in update mode was first heard in it, by device id (the core's clock, epoch ms). */
  updateSince?: Record<string, number>;
  /** How long a device stays in update mode without traffic (field-group.md "Manual update mode"), ms. */
  updateWindowMs?: number;
  /** The core's clock when this state was made (epoch ms): the renderer counts down from it, not from its own clock. */
  now?: number;
}

/** A device of the demo site (simulated), as the demo controls show it. */
export interface DemoDevice {
  id: string;
  board: string;
  hw: string;
  version: string;
  /** Behind the demo gateway (radio), or connected directly. */
  via: 'gateway' | 'direct';
  mode: 'normal' | 'update';
  /** The LED pattern it shows now. */
  led: string;
}

/** The demo site while it runs. */
export interface DemoSite {
  running: boolean;
  gatewayId: string | null;
  devices: DemoDevice[];
}

/** The laptop's own Ed25519 key (it signs visit reports); the private half never leaves the OS keychain. */
export interface LaptopKeyInfo {
  algorithm: 'ed25519';
  /** SPKI PEM. */
  publicKeyPem: string;
  /** The raw 32-byte public key, hex. */
  publicKeyHex: string;
  /** SHA-256 of the SPKI DER, hex (as for trusted keys). */
  fingerprint: string;
  /** True when this call made the key. */
  createdNow: boolean;
}

/** A visit: every job of one technician at one site started on one (local) day. */
export interface VisitInfo {
  id: string;
  site: string | null;
  technician: string;
  /** YYYY-MM-DD, the laptop's local date. */
  date: string;
  jobIds: string[];
  from: number;
  to: number;
}

/** A visit report ready to save: the JSON, its detached Ed25519 signature, and a printable page. */
export interface VisitReportFiles {
  visitId: string;
  /** `visit-report-<visit id>.json`; the signature is saved as the same name + `.sig`. */
  fileName: string;
  /** The exact bytes signed, as UTF-8 text. */
  json: string;
  /** The 64-byte signature, base64. */
  signatureBase64: string;
  /** A self-contained HTML page of the report, for print-to-PDF. */
  html: string;
  fingerprint: string;
}

/** One image slot as a device lists it; a flag the device did not send is `null` (unknown, shown "?"), never false. */
export interface SlotInfo {
  image: number;
  slot: number;
  /** `major.minor.revision+build`. */
  version: string;
  /** The image's hash TLV, lower-case hex. */
  hash: string;
  bootable: boolean | null;
  pending: boolean | null;
  confirmed: boolean | null;
  active: boolean | null;
  permanent: boolean | null;
  /** What makes sense on this slot, as the core decides: confirm a pending test or an on-trial image; erase a slot that is not running. */
  actions: { confirm: boolean; erase: boolean };
}

/**
 * What a device-details request did: `done` only when the device accepted it (a refusal is a
 * result with `done: false` and a message saying what to do); `slots` as the device lists them now.
 */
export interface DeviceActionResult {
  done: boolean;
  /** `refused` (the device said no), `no-such-image` / `ambiguous-hash` (nothing was sent). */
  kind?: string;
  message: string;
  slots: SlotInfo[];
}

/** How one preflight check came out: `unknown` when it could not be decided here (say why in `detail`). */
export type PreflightStatus = 'ok' | 'warn' | 'fail' | 'unknown';

/** One line of the preflight checklist: what was checked, how it came out, and what to do about it. */
export interface PreflightCheck {
  id: 'bluetooth' | 'serial' | 'hid' | 'keychain' | 'disk' | 'clock' | 'release';
  title: string;
  status: PreflightStatus;
  /** What was found, in words (figures included). */
  detail: string;
  /** What to do, for warn, fail and unknown lines; a command where one helps. */
  fix?: string;
}

/**
 * What to check. Without a batch: the whole visit (every check, the chosen sites' device lists).
 * With `targets`: the checks that matter for that batch (keychain, disk, clock, the permission of
 * the link kinds it uses, and with `bundleId` the release covering the chosen devices).
 */
export interface PreflightRequest {
  bundleId?: string;
  targets?: { link: JobTargetRequest; expectedDeviceId?: string }[];
}

/** The checklist, in a fixed order; `worst` is the lowest status of all (fail < unknown < warn < ok). */
export interface PreflightReport {
  checks: PreflightCheck[];
  worst: PreflightStatus;
  /** Epoch ms, the core's clock. */
  at: number;
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
  /** Starts receiving a picked file of `size` bytes in chunks of `chunkBytes` (any size up to 512 MiB, memory bounded). */
  'upload:begin': { args: { fileName: string; size: number }; result: { uploadId: string; chunkBytes: number } };
  /** One chunk of raw bytes, `seq` 0, 1, 2, … in order, each sent after the previous one was acknowledged. */
  'upload:chunk': { args: { uploadId: string; seq: number; data: Uint8Array }; result: { received: number } };
  /** Drops an unfinished upload and its staged bytes. */
  'upload:abort': { args: { uploadId: string }; result: null };
  /** Imports a fully received upload as a bundle archive, through the same path as a file on disk; refused bundles answer `bundle-refused`. */
  'releases:import-upload': { args: { uploadId: string }; result: BundleInfo };
  /** Verifies a fully received upload as one image file. */
  'image:check-upload': { args: { uploadId: string }; result: ImageCheck };
  /** Looks for devices on every link kind; with `query`, asks each one who it is. */
  'devices:scan': { args: { scanMs?: number; query?: boolean }; result: { devices: DeviceSummary[]; problems: DeviceProblem[] } };
  /** The technician's settings. */
  'settings:get': { args: Record<string, never>; result: AppSettings };
  /** Changes some settings; a new cloud URL restarts sync. */
  'settings:set': { args: Partial<AppSettings>; result: AppSettings };
  /** Sync status now. */
  'sync:status': { args: Record<string, never>; result: SyncStatus };
  /** Syncs now (pushes waiting results, pulls the catalog). */
  'sync:now': { args: Record<string, never>; result: SyncStatus };
  /**
   * Before a visit: pulls the catalog of the chosen sites and downloads (resumably) and verifies the
   * release bundles their devices need, so that the visit works offline. The sites are remembered
   * and kept fresh by background sync.
   */
  'sync:prepare': { args: { siteIds: string[] }; result: VisitPreparation };
  /** Which secrets are set; never their values. */
  'secrets:status': { args: Record<string, never>; result: SecretsStatus };
  /** Stores a project's network key (32 hex digits) in the OS keychain; it is never read back. */
  'secrets:set-net-key': { args: { projectId: string; keyHex: string }; result: null };
  /** Stores the cloud token in the OS keychain (refused where there is none). */
  'secrets:set-cloud-token': { args: { token: string }; result: null };
  /** Starts a job. */
  'job:start': { args: JobStartRequest; result: JobSnapshot };
  /** Jobs of this session and unfinished ones, newest first. */
  'job:list': { args: Record<string, never>; result: JobSnapshot[] };
  /** Pauses a job, or one device of it. A device already installing finishes safely. */
  'job:pause': { args: { jobId: string; deviceKey?: string }; result: JobSnapshot };
  'job:resume': { args: { jobId: string; deviceKey?: string }; result: JobSnapshot };
  /** Cancels a job, or one device of it. A device already installing finishes safely. */
  'job:cancel': { args: { jobId: string; deviceKey?: string }; result: JobSnapshot };
  /** The technician's answer to an LED question. */
  'job:answer-led': { args: { jobId: string; deviceKey: string; seen: boolean }; result: JobSnapshot };
  /** Runs the failed devices of a job again. */
  'job:retry-failed': { args: { jobId: string }; result: JobSnapshot };
  /** The audit log, filtered, newest first. */
  'history:query': { args: HistoryFilter; result: AuditEntry[] };
  /** The audit log as CSV (RFC 4180), filtered. */
  'history:export-csv': { args: HistoryFilter; result: { fileName: string; csv: string; rows: number } };
  /** Starts the demo site: a simulated gateway with devices behind it and a few direct devices. */
  'demo:start': { args: Record<string, never>; result: DemoSite };
  'demo:status': { args: Record<string, never>; result: DemoSite };
  'demo:stop': { args: Record<string, never>; result: DemoSite };
  /** Stands in for the magnet and the OTG adapter: puts one demo device in update mode. */
  'demo:update-mode': { args: { deviceId: string }; result: DemoSite };
  /** Makes one demo device fail its next update (it walks out of radio range / is unplugged). */
  'demo:inject-failure': { args: { deviceId: string }; result: DemoSite };
  /** Connects the gateway on a serial port (checks it answers the field group's identity as a gateway). */
  'gateway:connect': { args: { path: string; baudRate?: number }; result: GatewayInfo };
  'gateway:status': { args: Record<string, never>; result: GatewayInfo };
  /** Disconnects one gateway by its EUI-64, or every gateway when no id is given; returns the first still connected (or none). */
  'gateway:disconnect': { args: { id?: string }; result: GatewayInfo };
  /** Every connected gateway (several may be connected at once; `gateway:connect` adds one). */
  'gateway:list': { args: Record<string, never>; result: GatewayInfo[] };
  /** Starts listening for devices (gateway radio scan every few seconds, direct devices asked). */
  'collect:start': { args: Record<string, never>; result: CollectState };
  'collect:stop': { args: Record<string, never>; result: CollectState };
  /** The technician's update-mode LED answer on Collect (null: ask again); the core stamps the time; "yes" chooses the device, "no" takes it out. */
  'collect:answer-led': { args: { deviceId: string; seen: boolean | null }; result: CollectState };
  /** Ticks or unticks a device for the update; `oneByOne`: ticked by itself (not by "select all"), which a development device needs. */
  'collect:choose': { args: { deviceId: string; on: boolean; oneByOne?: boolean }; result: CollectState };
  /** Ticks or unticks many devices in one change (ticking takes only devices heard in update mode). */
  'collect:choose-many': { args: { deviceIds: string[]; on: boolean }; result: CollectState };
  /**
   * "Every device I can see blinks twice": each chosen device with no LED answer yet is recorded
   * "yes", except those listed, recorded "no" (and taken out); one change, stamped by the core's clock.
   */
  'collect:confirm-leds': { args: { exceptions: string[] }; result: CollectState };
  /**
   * The radio time a gateway update of these devices (their boards, one entry per device) with this
   * release will take at this batch size and redundancy, from the connected gateway's radio model.
   */
  'gateway:radio-time': { args: { bundleId: string; boards: string[] } & GatewayBatchSettings; result: RadioTimeEstimate };
  /** Makes a device blink `identify` (through the gateway or directly) so the technician can find it. */
  'devices:identify': { args: { target: JobTargetRequest }; result: null };
  /** Forwards a renderer log line to the core's log file. */
  'log:write': { args: { level: LogLine['level']; message: string }; result: null };
  /** The laptop's own signing key (made on first use, kept in the OS keychain): its public part only. */
  'keys:laptop': { args: Record<string, never>; result: LaptopKeyInfo };
  /** Visits the journal knows (one technician, one site, one day), newest first. */
  'report:visits': { args: Record<string, never>; result: VisitInfo[] };
  /** The signed report of one visit, by its id or by one of its jobs. */
  'report:export': { args: { visitId?: string; jobId?: string }; result: VisitReportFiles };
  /** The visit report printed to PDF (Electron's printToPDF in the app, Chromium's in the browser host). */
  'report:export-pdf': { args: { visitId?: string; jobId?: string }; result: { visitId: string; fileName: string; pdfBase64: string } };
  /** A directly connected device's image slots (device details). */
  'device:image-state': { args: { target: JobTargetRequest }; result: DeviceActionResult };
  /** Erases a slot (default 1) of a directly connected device; writes an audit row. */
  'device:image-erase': { args: { target: JobTargetRequest; slot?: number }; result: DeviceActionResult };
  /** Confirms the running image, or with `hash` (hex, a unique start of a slot's hash) makes that image permanent; writes an audit row. */
  'device:image-confirm': { args: { target: JobTargetRequest; hash?: string }; result: DeviceActionResult };
  /** Resets a directly connected device (the bootloader swaps a pending image); writes an audit row. */
  'device:reset': { args: { target: JobTargetRequest }; result: DeviceActionResult };
  /** Adds a device on the network by address (`udp:HOST[:PORT]` or `HOST:PORT`) after it answered a short SMP query; a silent address is refused. */
  'devices:add-address': { args: { address: string }; result: DeviceSummary };
  /** Forgets a device added by address (`udp:HOST:PORT`, as listed). */
  'devices:remove-address': { args: { address: string }; result: null };
  /** The site's device list as the visit's checklist (done, to do, not on the list); null when no site list applies. */
  'site:checklist': { args: Record<string, never>; result: SiteChecklist | null };
  /** Preflight: is this laptop ready for the visit (or for this batch)? Bluetooth, serial and HID access, keychain, disk, clock, release coverage. */
  'preflight:run': { args: PreflightRequest; result: PreflightReport };
}

/** Event stream → payload. */
export interface Events {
  /** A serial port appeared. */
  'ports:added': PortInfo;
  /** A serial port went away. */
  'ports:removed': PortInfo;
  /** A line of the core's log. */
  'log:line': LogLine;
  /** Transfer figures of a job, at most 10 a second per job. */
  'job:progress': JobProgressEvent;
  /** A device of a job moved to a new state (after the journal committed it). */
  'job:device-state': DeviceStateEvent;
  /** The engine waits for the technician to confirm an LED. */
  'job:led-prompt': LedPrompt;
  /** A job as a whole changed state; `halted` when it stopped because its journal could not be written (the message says what to do). */
  'job:state': { jobId: string; state: JobState; halted?: JobHalt };
  /** Sync status changed. */
  'sync:status': SyncStatus;
  /** Devices heard while collecting changed. */
  'collect:changed': CollectState;
  /** The gateway connected or went away. */
  'gateway:changed': GatewayInfo;
  /** A gateway connected, went away, or started/finished installing its own firmware: all connected gateways. */
  'gateway:list-changed': GatewayInfo[];
  /** The demo site changed (a device entered update mode, was updated, …). */
  'demo:changed': DemoSite;
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
export const EVENT_NAMES = [
  'ports:added',
  'ports:removed',
  'log:line',
  'job:progress',
  'job:device-state',
  'job:led-prompt',
  'job:state',
  'sync:status',
  'collect:changed',
  'gateway:changed',
  'gateway:list-changed',
  'demo:changed',
] as const satisfies readonly EventName[];
// Every event stream is in the list (a missing one fails the typecheck here).
const _allEvents: Exclude<EventName, (typeof EVENT_NAMES)[number]> extends never ? true : never = true;
void _allEvents;

declare global {
  interface Window {
    siteflash?: SiteflashBridge;
  }
}
