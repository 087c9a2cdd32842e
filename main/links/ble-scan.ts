import { systemClock, type Clock } from './clock';
import { SMP_SERVICE_UUID, whenPoweredOn, type NobleLike, type NoblePeripheralLike } from './ble-noble';

/** One BLE peripheral advertising the SMP service. */
export interface BlePeripheralInfo {
  /** What to open it by: the address where the OS shows it, else noble's id (macOS). */
  address: string;
  /** noble's id for the peripheral. */
  id: string;
  /** Advertised local name, when there is one. */
  name?: string;
  /** Signal strength of the latest advertisement, dBm. */
  rssi: number;
}

/** Options of {@link scanBle}. */
export interface BleScanOptions {
  /** How long to listen for advertisements. */
  durationMs: number;
  clock?: Clock;
  /** Time allowed for the adapter to come up (default 3 s). */
  adapterTimeoutMs?: number;
  /** Stops the scan early when it returns true for a peripheral just seen. */
  until?: (peripheral: NoblePeripheralLike) => boolean;
  signal?: AbortSignal;
  platform?: NodeJS.Platform;
}

/** A scan's results: every SMP peripheral seen, and the noble objects to connect with. */
export interface BleScanResult {
  found: BlePeripheralInfo[];
  peripherals: Map<string, NoblePeripheralLike>;
}

/** Default time for the adapter to report poweredOn. */
export const ADAPTER_TIMEOUT_MS = 3000;

/**
 * Scans for peripherals advertising the SMP service (smp.md §7), filtered by the adapter, for
 * `durationMs` or until `until` accepts one. Rejects with a LinkError when the adapter is off or
 * refused (`adapter-off`, `permission-denied`). Duplicates are allowed so RSSI stays current.
 */
export async function scanBle(noble: NobleLike, options: BleScanOptions): Promise<BleScanResult> {
  const clock = options.clock ?? systemClock;
  await whenPoweredOn(noble, {
    timeoutMs: options.adapterTimeoutMs ?? ADAPTER_TIMEOUT_MS,
    schedule: (fn, ms) => clock.schedule(fn, ms),
    ...(options.platform ? { platform: options.platform } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const peripherals = new Map<string, NoblePeripheralLike>();
  let stop = () => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const onDiscover = (p: NoblePeripheralLike) => {
    peripherals.set(p.id, p);
    if (options.until?.(p)) stop();
  };
  noble.on('discover', onDiscover);
  const cancelTimer = clock.schedule(stop, options.durationMs);
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    await noble.startScanningAsync([SMP_SERVICE_UUID], true);
    await stopped;
  } finally {
    cancelTimer();
    options.signal?.removeEventListener('abort', stop);
    noble.removeListener('discover', onDiscover);
    await noble.stopScanningAsync().catch(() => undefined);
  }
  options.signal?.throwIfAborted();
  return { found: [...peripherals.values()].map(describePeripheral), peripherals };
}

/** The address to show and open a peripheral by. */
export function peripheralAddress(p: NoblePeripheralLike): string {
  return p.address && p.address !== 'unknown' ? p.address.toLowerCase() : p.id;
}

/** True when `address` names `p` by its address or by noble's id. */
export function matchesAddress(p: NoblePeripheralLike, address: string): boolean {
  const want = address.toLowerCase();
  return peripheralAddress(p) === want || p.id.toLowerCase() === want;
}

function describePeripheral(p: NoblePeripheralLike): BlePeripheralInfo {
  const name = p.advertisement.localName;
  return { address: peripheralAddress(p), id: p.id, ...(name ? { name } : {}), rssi: p.rssi };
}
