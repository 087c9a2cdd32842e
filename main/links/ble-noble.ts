import { LinkError } from './link';

/**
 * The part of noble's API the BLE link uses, with noble's own names and shapes, so the real module
 * and a test double are interchangeable.
 *
 * We use `@stoprocent/noble`: it is the maintained fork of noble (the original `@abandonware/noble`
 * has had no release for years), it ships prebuilt binaries for current Node and Electron ABIs
 * (so no compiler is needed on a technician's laptop), it has promise APIs (`connectAsync`,
 * `discoverSomeServicesAndCharacteristicsAsync`, `writeAsync`) and it exposes the negotiated ATT MTU
 * as `peripheral.mtu` after connecting, which sizes every SMP write (smp.md §7).
 */
export interface NobleLike {
  /** `poweredOn`, `poweredOff`, `unauthorized`, `unsupported`, `unknown`, `resetting`. */
  readonly state: string;
  /** Adding the first `stateChange` listener is what makes noble open the adapter. */
  on(event: 'stateChange', listener: (state: string) => void): unknown;
  on(event: 'discover', listener: (peripheral: NoblePeripheralLike) => void): unknown;
  removeListener(event: 'stateChange', listener: (state: string) => void): unknown;
  removeListener(event: 'discover', listener: (peripheral: NoblePeripheralLike) => void): unknown;
  startScanningAsync(serviceUUIDs?: string[], allowDuplicates?: boolean): Promise<void>;
  stopScanningAsync(): Promise<void>;
  /** Releases the adapter (noble's HCI socket keeps a process alive otherwise). */
  stop?(): void;
}

/** A peripheral as noble reports it: seen in a scan, then connected. */
export interface NoblePeripheralLike {
  /** noble's handle: the address on Linux/Windows, an OS-made UUID on macOS. */
  readonly id: string;
  /** `aa:bb:cc:dd:ee:ff`, or empty where the OS hides it (macOS). */
  readonly address: string;
  readonly rssi: number;
  readonly advertisement: { localName?: string | undefined };
  /** Negotiated ATT MTU once connected; null before. */
  readonly mtu: number | null;
  readonly state: string;
  connectAsync(): Promise<void>;
  disconnectAsync(): Promise<void>;
  cancelConnect?(): void;
  discoverSomeServicesAndCharacteristicsAsync(serviceUUIDs: string[], characteristicUUIDs: string[]): Promise<{ characteristics: NobleCharacteristicLike[] }>;
  on(event: 'disconnect', listener: (reason: number | string) => void): unknown;
  removeListener(event: 'disconnect', listener: (reason: number | string) => void): unknown;
}

/** The SMP characteristic as noble hands it over. */
export interface NobleCharacteristicLike {
  readonly uuid: string;
  subscribeAsync(): Promise<void>;
  unsubscribeAsync?(): Promise<void>;
  writeAsync(data: Buffer, withoutResponse: boolean): Promise<void>;
  on(event: 'data', listener: (data: Buffer, isNotification: boolean) => void): unknown;
  removeListener(event: 'data', listener: (data: Buffer, isNotification: boolean) => void): unknown;
}

/** SMP service UUID (smp.md §7), in noble's spelling: lower case, no dashes. */
export const SMP_SERVICE_UUID = '8d53dc1d1db74cd3868b8a527460aa84';
/** SMP characteristic UUID (smp.md §7): write without response + notify, both directions. */
export const SMP_CHARACTERISTIC_UUID = 'da2e7828fbce4e01ae9e261174997c48';
/** Default ATT MTU (smp.md §7): 23, so 20 bytes per write. */
export const DEFAULT_ATT_MTU = 23;
/** ATT write/notification header: opcode + handle (smp.md §7: payload is MTU − 3). */
export const ATT_HEADER = 3;

/**
 * noble's HCI binding adds a SIGINT listener (when it starts, not when it is loaded) that ends the
 * process with exit code 1 whenever it is the last listener, which it is when Bluetooth was first
 * used after the program set up its own Ctrl-C handling (the host after a preflight check, the CLI
 * during a scan): the program's clean stop would never run. That one listener is taken off as soon
 * as it is added; noble still cleans up on exit.
 */
const watched = new WeakSet<NobleLike>();
function removeSigintOf(noble: NobleLike): void {
  if (watched.has(noble)) return;
  watched.add(noble);
  const bindings = (noble as unknown as { _bindings?: { _sigIntHandler?: unknown } | null })._bindings;
  process.on('newListener', (event, listener) => {
    if (event === 'SIGINT') setImmediate(() => (listener === bindings?._sigIntHandler ? process.removeListener('SIGINT', listener as () => void) : undefined));
  });
}

/** Loads the real noble (lazily: requiring it opens the platform's Bluetooth binding). */
export async function loadNoble(): Promise<NobleLike> {
  const mod = await import('@stoprocent/noble');
  removeSigintOf(mod.default);
  return mod.default;
}

/** noble itself, or a loader for it; a loader that fails means no Bluetooth support on this computer. */
export async function resolveNoble(source: NobleLike | (() => Promise<NobleLike>)): Promise<NobleLike> {
  if (typeof source !== 'function') return source;
  try {
    return await source();
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    return Promise.reject(new LinkError('adapter-off', `Bluetooth support could not be loaded: ${text}`, 'Check that this computer has a Bluetooth LE adapter and that siteflash was installed for this system.'));
  }
}

/**
 * Maps an adapter state other than `poweredOn` to what the technician should do.
 * `unauthorized` is noble's word for "the OS refused access to Bluetooth".
 */
export function adapterError(state: string, platform: NodeJS.Platform = process.platform): LinkError {
  if (state === 'unauthorized') {
    return new LinkError('permission-denied', 'siteflash may not use the Bluetooth adapter.', blePermissionHint(platform));
  }
  if (state === 'unsupported') {
    return new LinkError('adapter-off', 'No usable Bluetooth LE adapter was found on this computer.', 'Plug in a Bluetooth LE 4.0+ adapter (or enable the built-in one), then try again.');
  }
  return new LinkError('adapter-off', `The Bluetooth adapter is off (state: ${state}).`, 'Turn Bluetooth on in the system settings (or unblock it: rfkill unblock bluetooth), then try again.');
}

/** What to do about a Bluetooth permission refusal, per platform. */
export function blePermissionHint(platform: NodeJS.Platform): string {
  if (platform === 'linux') {
    return [
      'noble needs raw HCI access. For the command line: sudo setcap cap_net_raw+eip $(eval readlink -f $(which node)).',
      'For the desktop app: sudo setcap cap_net_raw+eip $(readlink -f /opt/siteflash/siteflash) (the Electron binary; use your install path).',
      'Or run siteflash with the CAP_NET_RAW capability. Repeat after every Node or siteflash update.',
    ].join(' ');
  }
  if (platform === 'darwin') return 'Allow siteflash (or your terminal, for the command line) under System Settings › Privacy & Security › Bluetooth.';
  if (platform === 'win32') return 'Allow apps to use Bluetooth under Settings › Privacy & security › Radios, and turn Bluetooth on.';
  return 'Check that your user may use the Bluetooth adapter.';
}

/** Waits for the adapter to be `poweredOn`; states that will not change by waiting fail at once. */
export function whenPoweredOn(noble: NobleLike, options: { timeoutMs: number; schedule: (fn: () => void, ms: number) => () => void; platform?: NodeJS.Platform; signal?: AbortSignal }): Promise<void> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(options.signal.reason);
    let last = noble.state;
    const finish = (err?: unknown) => {
      cancel();
      noble.removeListener('stateChange', onState);
      options.signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };
    const onState = (state: string) => {
      last = state;
      if (state === 'poweredOn') finish();
      else if (state === 'unauthorized' || state === 'unsupported') finish(adapterError(state, options.platform));
    };
    const onAbort = () => finish(options.signal?.reason);
    // An adapter being brought up reports poweredOff or resetting on the way, so those get the timeout.
    const cancel = options.schedule(() => finish(adapterError(last, options.platform)), options.timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    noble.on('stateChange', onState);
    if (noble.state !== 'unknown') onState(noble.state);
  });
}
