import type { ImageSource } from '../devices/image-source';
import type { JobTarget, ReleaseComponent } from './types';

/**
 * How the engine reaches devices. The engine owns the state machine, the journal, retries,
 * scheduling, LED checkpoints and progress; a driver only performs the phases on one device.
 * `smp-driver.ts` talks SMP directly over a link (main/devices); a gateway driver (field group
 * batch/forward) implements the same interface. See README.md "Writing a driver".
 *
 * Errors: throw what the lower layers throw (DeviceError, LinkError, SmpError, SiteflashError);
 * `classify()` in errors.ts sorts them into transient (retried, resumed) and permanent.
 */
export interface DeviceDriver {
  /** Short name for logs and the journal (`smp`, `gateway`). */
  readonly name: string;
  /** Opens a connection to the target device; rejects if it cannot be reached. */
  connect(target: JobTarget, signal: AbortSignal): Promise<DeviceConnection>;
}

/** The image to install, shared by every device of the job (streamed, never copied per device). */
export interface JobImage {
  component: ReleaseComponent;
  source: ImageSource;
  /** SHA-256 of the file (upload `sha`). */
  sha: Uint8Array;
  /** The image's hash TLV (what image state reports). */
  hash: Uint8Array;
}

/** One image slot as the device reports it. */
export interface SlotFacts {
  slot: number;
  version: string;
  /** Hash TLV, lower-case hex. */
  hash: string;
  /** `null`: the device did not say (MCUboot serial recovery sends no flags, smp.md §11.1). */
  active: boolean | null;
  pending: boolean | null;
  confirmed: boolean | null;
}

/** What the device says it is and holds. Fields it cannot report are undefined. */
export interface DeviceFacts {
  /** EUI-64 (field group identity). */
  deviceId?: string;
  board?: string;
  hwRev?: string;
  /** `update` when the device is in manual update mode (field-group.md). */
  mode?: 'normal' | 'update';
  /** Running version. */
  version?: string;
  /** PAN the device is on (identity `pan`); undefined when it reports none. */
  pan?: number;
  /** LED pattern the device reports showing (identity `led`), e.g. `joined` just after it rejoined. */
  led?: string;
  slots: SlotFacts[];
}

/** How a transfer ended. */
export interface TransferResult {
  /** Offset the device already held when this transfer started (resume). */
  resumedFrom: number;
  total: number;
  /** What the checks before the first byte could not check (recorded with the transfer). */
  warnings?: string[];
}

/** An open connection to one device. Every method may be called again after a reconnect. */
export interface DeviceConnection {
  /** Link id, for the journal and audit log. */
  readonly linkId: string;
  /** Reads identity and image state. */
  identify(signal: AbortSignal): Promise<DeviceFacts>;
  /** Shows an LED pattern (field-group.md); resolves false when the device cannot. */
  showLed(pattern: 'update-mode' | 'joined' | 'identify', signal: AbortSignal): Promise<boolean>;
  /** Sends the image, resuming from the offset the device reports. */
  transfer(image: JobImage, onProgress: (bytes: number, total: number, rate: number) => void, signal: AbortSignal): Promise<TransferResult>;
  /** Marks the image for a one-time test at the next reset. */
  markTest(image: JobImage, signal: AbortSignal): Promise<void>;
  /** Resets the device. Never resent: a lost answer may mean the reset happened. */
  reset(signal: AbortSignal): Promise<void>;
  /** Waits until the device answers again after its reset and returns what it runs now. */
  awaitRejoin(timeoutMs: number, signal: AbortSignal): Promise<DeviceFacts>;
  /** Confirms the running image (ends the test). */
  confirm(signal: AbortSignal): Promise<void>;
  /**
   * Network jobs: writes settings (smp.md §3.3 write), in order. Values may hold the network key:
   * pass them to the device and nowhere else (no log, no error text).
   */
  writeSettings?(values: readonly { name: string; val: Uint8Array }[], signal: AbortSignal): Promise<void>;
  /** Network jobs: reads one readable setting (never `net/key`). */
  readSetting?(name: string, signal: AbortSignal): Promise<Uint8Array>;
  /** Network jobs: `commit` then `save` (smp.md §3.3): the change is applied and survives a reset. */
  commitSave?(signal: AbortSignal): Promise<void>;
  /** Releases the connection. */
  close(): Promise<void>;
}
