import type { PreflightCheck } from '../../preload/api';
import { resolveNoble, whenPoweredOn, type NobleLike } from '../links/ble-noble';
import { LinkError } from '../links/link';
import { line } from './check';

const TITLE = 'Bluetooth adapter present and on';

/** What the Bluetooth check uses: noble (or its loader) and how long the adapter may take to come up. */
export interface BluetoothInputs {
  noble: NobleLike | (() => Promise<NobleLike>);
  platform: NodeJS.Platform;
  /** Time allowed for noble to report a state other than `unknown` (default 3 s). */
  timeoutMs?: number;
  schedule?: (fn: () => void, ms: number) => () => void;
  /** True when BLE devices are part of the work (a batch with BLE targets): a missing adapter then fails instead of warning. */
  needed?: boolean;
}

/**
 * Asks noble for the adapter's state, as a BLE scan would (main/links/ble-noble.ts), without
 * scanning. No adapter, or one that is off, is a warning for a visit (serial, HID and the gateway
 * still work) and a failure for a batch that has BLE devices.
 */
export async function checkBluetooth(i: BluetoothInputs): Promise<PreflightCheck> {
  const schedule = i.schedule ?? ((fn: () => void, ms: number) => { const t = setTimeout(fn, ms); return () => clearTimeout(t); });
  const missing = i.needed ? 'fail' : 'warn';
  try {
    const noble = await resolveNoble(i.noble);
    await whenPoweredOn(noble, { timeoutMs: i.timeoutMs ?? 3000, schedule, platform: i.platform });
    return line('bluetooth', TITLE, 'ok', 'A Bluetooth LE adapter is present and powered on.');
  } catch (err) {
    if (err instanceof LinkError) {
      const status = err.kind === 'permission-denied' ? 'fail' : missing;
      const also = i.needed ? '' : ' Devices on serial, HID and behind a gateway are not affected.';
      return line('bluetooth', TITLE, status, `${err.message}${also}`, err.hint);
    }
    return line('bluetooth', TITLE, 'unknown', `The Bluetooth adapter could not be asked: ${err instanceof Error ? err.message : String(err)}`, 'Restart siteflash; if this stays, check the Bluetooth settings of this computer.');
  }
}
