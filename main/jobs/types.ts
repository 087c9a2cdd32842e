import type { NetworkSettings } from '../commission/net-settings';

/**
 * The data of a batch update job: what the technician asks for ({@link JobSpec}) and what the
 * renderer sees ({@link JobSnapshot}, events). Everything here is plain JSON-serialisable data.
 */

/** Per-device states (DESIGN.md "Device states"); the last four are ends. */
export type DeviceState =
  | 'discovered'
  | 'in-update-mode'
  | 'verified'
  | 'transferring'
  | 'installing'
  | 'rejoined'
  | 'done'
  | 'failed'
  | 'rolled-back'
  | 'cancelled';

/** The states a device ends in. */
export type EndState = Extract<DeviceState, 'done' | 'failed' | 'rolled-back' | 'cancelled'>;

/** How to reach one target device. BLE and HID are scheduled too; the SMP driver opens what the link factory knows. */
export type TargetLink =
  | { kind: 'serial'; path: string; baudRate?: number }
  | { kind: 'hid'; path: string }
  | { kind: 'ble'; address: string }
  | { kind: 'loopback'; name: string }
  /** SMP over UDP (smp.md §8). */
  | { kind: 'udp'; host: string; port: number };

/** One device of a job. */
export interface JobTarget {
  link: TargetLink;
  /** EUI-64 the technician expects there; a different device on that link fails as `wrong-device`. */
  expectedDeviceId?: string;
  /**
   * The technician's update-mode LED answer given before the job (Collect screen). The first
   * attempt records it instead of asking, unless it is older than update mode lasts.
   */
  updateModeLed?: { seen: boolean; at: number };
  /** The technician chose this device by itself (not by "select all"): a development device is updated only then. */
  oneByOne?: boolean;
  /**
   * Key of another target of this job that must end `done` before this one starts (the gateway,
   * when its own firmware goes first). If that one ends otherwise, this one fails with
   * `gateway-not-updated` and nothing is sent to it.
   */
  after?: string;
  /**
   * `gateway`: a gateway installing its own firmware. It has no update mode, so no LED question is
   * asked; its identity after the restart is checked as for any device.
   */
  role?: 'gateway';
}

/**
 * The fleet rules of one device of the site's list, as a job applies them (main/site/fleet-rules.ts):
 * journaled with the job, so that a resumed job applies the same rules.
 */
export interface JobDeviceRule {
  /** Locked in the catalog: nothing is sent; the reason is shown. */
  locked?: string;
  /** A development device: left alone unless chosen one by one. */
  development?: boolean;
  /** The image version the device must get; a release without it is refused for the device. */
  pinnedVersion?: string;
}

/** One image of the release, as verification found it (main/image). Hex strings are lower case. */
export interface ReleaseComponent {
  /** Board the image is tagged for (board TLV); null when untagged (no board check is possible). */
  board: string | null;
  /** Hardware revisions (bundles); absent for a single image. */
  hwRevisions?: string[];
  /** `major.minor.revision+build`. */
  version: string;
  /** File the image is read from, in chunks, shared by every device. */
  path: string;
  size: number;
  /** SHA-256 of the whole file (SMP upload `sha`). */
  sha256: string;
  /** The image's hash TLV: what the device's image state reports. */
  imageHash: string;
  securityCounter?: number;
  minUpgradeFrom?: string;
}

/** A single verified image, or the components of a verified release bundle. */
export interface JobRelease {
  kind: 'image' | 'bundle';
  /** File name or system version, for the technician. */
  name: string;
  components: ReleaseComponent[];
  /** Bundles: the manifest's id (visit reports). */
  bundleId?: string;
  /** Bundles: SHA-256 of the manifest.json bytes, lower-case hex (visit reports). */
  manifestSha256?: string;
}

/** What the engine does at each checkpoint. */
export interface JobPolicy {
  /** Wait for the technician to confirm the LED (update-mode before transfer, joined after rejoin). */
  ledConfirm: boolean;
  /** Transient failures (timeout, disconnect, busy) retried per device before it fails. */
  retries: number;
  /** After the device rejoined with the new image: confirm it, or leave it in test (reverts at next reset). */
  afterRejoin: 'confirm' | 'leave-in-test';
  /** Backoff between retries: uniform in [0, min(capMs, baseMs·2^n)) (default 500 ms … 10 s). */
  backoff?: { baseMs: number; capMs: number };
  /** How long a device may take to come back after its reset (default 120 s). */
  rejoinTimeoutMs?: number;
  /** Install a version older than the device runs (refused as `downgrade` otherwise). */
  allowDowngrade?: boolean;
}

/**
 * What a job does to each device: install the release (`firmware`, the default), or write the
 * project's network settings and prove the rejoin (`network`, README.md "Network jobs").
 */
export type JobKind = 'firmware' | 'network';

/**
 * The network settings a `network` job writes. The key is not here: it is read from the keychain
 * (`net-key:<projectId>`) when a device needs it, so it never reaches the journal.
 */
export interface JobNetwork extends NetworkSettings {
  projectId: string;
}

/** Devices of a network job by what they last reported (identity `pan`): old settings, new settings, or not known. */
export interface NetworkCounts {
  old: number;
  new: number;
  unknown: number;
}

/** A job as started: release, targets, the links to them, policy, and who/where for the audit log. */
export interface JobSpec {
  /** Default `firmware`. */
  kind?: JobKind;
  /** Required when `kind` is `network`. */
  network?: JobNetwork;
  /** For a network job: `components` is empty and `name` describes the settings. */
  release: JobRelease;
  targets: JobTarget[];
  policy: JobPolicy;
  technician: string;
  site?: string;
  /** Fleet rules by device id (lower-case EUI-64), for the devices of the site's list that have one. */
  rules?: Record<string, JobDeviceRule>;
}

/** The job as a whole. `finished`: every device reached an end state. */
export type JobState = 'running' | 'paused' | 'finished' | 'cancelled';

/** An LED question the technician answers (field-group.md LED names). */
export interface LedPrompt {
  jobId: string;
  deviceKey: string;
  /** `update-mode` before the transfer, `joined` after the rejoin. */
  pattern: 'update-mode' | 'joined';
  /** The question, for the technician. */
  question: string;
}

/** A recorded LED answer (also in the audit log). */
export interface LedAnswer {
  pattern: 'update-mode' | 'joined';
  /** True: the technician saw the pattern. */
  seen: boolean;
  /** Epoch ms. */
  at: number;
}

/** Transfer figures of one device or a whole job. */
export interface ProgressFigures {
  bytes: number;
  total: number;
  /** Bytes per second now (0 when unknown). */
  rate: number;
  /** Seconds left; null when unknown. */
  etaSeconds: number | null;
}

/** One device of a job, as shown. */
export interface DeviceSnapshot {
  /** The device's key in the job: its link id (`serial:/dev/ttyACM0`). */
  key: string;
  link: string;
  state: DeviceState;
  /** Why it failed, rolled back or was cancelled, for the technician. */
  reason: string | null;
  /** Stable kind of the reason (`wrong-board`, `timeout`, `led-not-confirmed`, …). */
  reasonKind: string | null;
  deviceId: string | null;
  board: string | null;
  fromVersion: string | null;
  toVersion: string | null;
  paused: boolean;
  /** Transient failures retried so far in this attempt. */
  retries: number;
  /** 1 for the first run; retryFailed starts the next. */
  attempt: number;
  progress: ProgressFigures;
  /** Set while the engine waits for the technician's LED answer. */
  ledPrompt: LedPrompt | null;
  ledAnswers: LedAnswer[];
}

/** A job, as shown (list/get). */
export interface JobSnapshot {
  id: string;
  state: JobState;
  /** Epoch ms. */
  createdAt: number;
  technician: string;
  site: string | null;
  release: string;
  policy: JobPolicy;
  devices: DeviceSnapshot[];
  progress: ProgressFigures;
  /** Devices per state. */
  counts: Partial<Record<DeviceState, number>>;
  /** Network jobs: how many devices are on the old and on the new settings. */
  network?: NetworkCounts;
  /**
   * Set when the job stopped because its journal could not be written (disk full, read-only,
   * damaged): what happened and what to do. Every device stopped at its last journaled step;
   * resuming the job goes on from there.
   */
  halted?: JobHalt;
}

/** Why a job stopped on a storage fault: an error value (kind `storage-full`, …) the technician acts on. */
export interface JobHalt {
  kind: string;
  message: string;
  userFault: boolean;
  details?: Record<string, unknown>;
}

/** Coalesced progress of one job: at most 10 a second per job. */
export interface JobProgressEvent {
  jobId: string;
  job: ProgressFigures;
  devices: { key: string; progress: ProgressFigures }[];
}

/** A device moved to a new state; emitted only after the journal committed it. */
export interface DeviceStateEvent {
  jobId: string;
  deviceKey: string;
  from: DeviceState | null;
  to: DeviceState;
  reason: string | null;
  reasonKind: string | null;
  /** The event's sequence number in the job's journal. */
  seq: number;
}

/** Events of {@link JobsService}. */
export interface JobsEvents {
  'job:progress': JobProgressEvent;
  'job:device-state': DeviceStateEvent;
  'job:led-prompt': LedPrompt;
  'job:state': { jobId: string; state: JobState; halted?: JobHalt };
}

/**
 * One audit row: what was done to one device in one attempt of a job. Who, when, where, which
 * device and board, from and to which version, which image, over which link, how long, what the
 * technician saw on the LED, and how it ended. Nothing secret (no keys, no tokens) is ever in it.
 */
export interface AuditEntry {
  jobId: string;
  deviceKey: string;
  attempt: number;
  /** Epoch ms the device reached its end state. */
  at: number;
  technician: string;
  site: string | null;
  deviceId: string | null;
  board: string | null;
  fromVersion: string | null;
  toVersion: string | null;
  /** SHA-256 of the image file sent (lower-case hex). */
  imageSha256: string | null;
  /** Link id, e.g. `serial:/dev/ttyACM0`. */
  link: string;
  startedAt: number;
  durationMs: number;
  ledAnswers: LedAnswer[];
  result: EndState;
  reason: string | null;
}

/** What {@link AuditLog.history} filters on; absent fields match everything. */
export interface HistoryFilter {
  /** Any part of the site name, ignoring case. */
  site?: string;
  /** One job's rows (e.g. the Results screen's export). */
  jobId?: string;
  /** Any part of the device id (EUI-64) or device key (link id), ignoring case. */
  device?: string;
  result?: EndState;
  /** Epoch ms bounds, inclusive. */
  from?: number;
  to?: number;
  limit?: number;
}
