import { systemClock, type Clock } from './clock';
import {
  ATT_HEADER,
  DEFAULT_ATT_MTU,
  SMP_CHARACTERISTIC_UUID,
  SMP_SERVICE_UUID,
  resolveNoble,
  type NobleCharacteristicLike,
  type NobleLike,
  type NoblePeripheralLike,
} from './ble-noble';
import { ADAPTER_TIMEOUT_MS, matchesAddress, scanBle } from './ble-scan';
import { LinkError, type Link, type LinkCloseReason } from './link';
import { Listeners } from './listeners';

/** Where and how to open a BLE link. */
export interface BleLinkOptions {
  /** The peripheral's address (`c0:ff:ee:00:00:01`) or, on macOS, noble's id for it. */
  address: string;
  /** noble, a double with its API shape (see {@link NobleLike}), or a loader run at the first open. */
  noble: NobleLike | (() => Promise<NobleLike>);
  clock?: Clock;
  /** Time to find the peripheral advertising and to connect to it (default 10 s). */
  connectTimeoutMs?: number;
  /** Time for the adapter to come up (default 3 s). */
  adapterTimeoutMs?: number;
  platform?: NodeJS.Platform;
}

/** Finding plus connecting: a peripheral in range advertises several times a second. */
export const BLE_CONNECT_TIMEOUT_MS = 10_000;

interface Connection {
  peripheral: NoblePeripheralLike;
  characteristic: NobleCharacteristicLike;
  detach(): void;
}

/**
 * A {@link Link} to one peripheral's SMP characteristic over BLE GATT (smp.md §7), framing `ble`.
 *
 * Open finds the peripheral by scanning for the SMP service, connects, discovers the SMP
 * characteristic and subscribes to its notifications; each notification is one data event (the
 * BLE framing of main/smp reassembles packets by header length). Writes go out as write without
 * response, at most {@link maxWrite} = negotiated ATT MTU − 3 bytes each. The peripheral going
 * away closes the link with kind `disconnected`; open() again reconnects.
 */
export class BleLink implements Link {
  readonly kind = 'ble';
  readonly framing = 'ble';
  readonly id: string;
  private mtu = DEFAULT_ATT_MTU;
  private conn: Connection | undefined;
  private readonly clock: Clock;
  private readonly data = new Listeners<Uint8Array>();
  private readonly closes = new Listeners<LinkCloseReason>();

  constructor(readonly options: BleLinkOptions) {
    this.id = `ble:${options.address.toLowerCase()}`;
    this.clock = options.clock ?? systemClock;
  }

  /** ATT MTU − 3 of the current (or last) connection; 20 before the first connect. */
  get maxWrite(): number {
    return this.mtu - ATT_HEADER;
  }

  get isOpen(): boolean {
    return this.conn !== undefined;
  }

  async open(signal?: AbortSignal): Promise<void> {
    if (this.conn) return;
    signal?.throwIfAborted();
    const timeoutMs = this.options.connectTimeoutMs ?? BLE_CONNECT_TIMEOUT_MS;
    const deadline = this.clock.now() + timeoutMs;
    const peripheral = await this.find(timeoutMs, signal);
    await this.connect(peripheral, Math.max(0, deadline - this.clock.now()), signal);
    try {
      const { characteristics } = await peripheral.discoverSomeServicesAndCharacteristicsAsync([SMP_SERVICE_UUID], [SMP_CHARACTERISTIC_UUID]);
      const characteristic = characteristics.find((c) => c.uuid.toLowerCase().replaceAll('-', '') === SMP_CHARACTERISTIC_UUID);
      if (!characteristic) throw new LinkError('not-found', `${this.options.address} has no SMP characteristic.`, 'Check that the device firmware enables MCUmgr over Bluetooth (CONFIG_MCUMGR_TRANSPORT_BT).');
      await characteristic.subscribeAsync();
      signal?.throwIfAborted();
      this.mtu = peripheral.mtu ?? DEFAULT_ATT_MTU;
      this.attach(peripheral, characteristic);
    } catch (err) {
      await peripheral.disconnectAsync().catch(() => undefined);
      throw err instanceof LinkError || signal?.aborted ? err : new LinkError('io', `Setting up SMP on ${this.options.address} failed: ${message(err)}`);
    }
  }

  async close(): Promise<void> {
    const conn = this.conn;
    if (!conn) return;
    this.conn = undefined;
    conn.detach();
    await conn.peripheral.disconnectAsync().catch(() => undefined);
    this.closes.emit({ kind: 'closed' });
  }

  /** Writes without response; a unit longer than {@link maxWrite} goes as consecutive pieces (smp.md §7). */
  async write(data: Uint8Array): Promise<void> {
    const conn = this.conn;
    if (!conn) throw new LinkError('not-open', `The Bluetooth link to ${this.options.address} is not open.`);
    const size = this.maxWrite;
    for (let at = 0; at < data.length; at += size) {
      const piece = Buffer.from(data.subarray(at, at + size));
      try {
        await conn.characteristic.writeAsync(piece, true);
      } catch (err) {
        throw new LinkError('io', `Writing to ${this.options.address} over Bluetooth failed: ${message(err)}`);
      }
    }
  }

  onData(listener: (data: Uint8Array) => void): () => void {
    return this.data.add(listener);
  }

  onClose(listener: (reason: LinkCloseReason) => void): () => void {
    return this.closes.add(listener);
  }

  private async find(timeoutMs: number, signal?: AbortSignal): Promise<NoblePeripheralLike> {
    const noble = await resolveNoble(this.options.noble);
    const { peripherals } = await scanBle(noble, {
      durationMs: timeoutMs,
      clock: this.clock,
      adapterTimeoutMs: this.options.adapterTimeoutMs ?? ADAPTER_TIMEOUT_MS,
      until: (p) => matchesAddress(p, this.options.address),
      ...(signal ? { signal } : {}),
      ...(this.options.platform ? { platform: this.options.platform } : {}),
    });
    const found = [...peripherals.values()].find((p) => matchesAddress(p, this.options.address));
    if (!found) throw outOfRange(this.options.address, timeoutMs);
    return found;
  }

  private async connect(peripheral: NoblePeripheralLike, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    let cancelTimer = () => {};
    const timedOut = new Promise<never>((_, reject) => {
      cancelTimer = this.clock.schedule(() => {
        peripheral.cancelConnect?.();
        reject(outOfRange(this.options.address, timeoutMs));
      }, timeoutMs);
    });
    const connecting = peripheral.connectAsync();
    connecting.catch(() => undefined);
    try {
      await Promise.race([connecting, timedOut]);
    } catch (err) {
      throw err instanceof LinkError ? err : new LinkError('io', `Connecting to ${this.options.address} failed: ${message(err)}`, 'Keep the device in update mode and close to this computer, then try again.');
    } finally {
      cancelTimer();
    }
    if (signal?.aborted) {
      await peripheral.disconnectAsync().catch(() => undefined);
      signal.throwIfAborted();
    }
  }

  private attach(peripheral: NoblePeripheralLike, characteristic: NobleCharacteristicLike): void {
    const onData = (chunk: Buffer) => this.data.emit(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
    const onDisconnect = (reason: number | string) => {
      if (this.conn !== conn) return;
      this.conn = undefined;
      conn.detach();
      this.closes.emit({ kind: 'disconnected', message: `The Bluetooth connection to ${this.options.address} dropped (${disconnectText(reason)}).` });
    };
    const conn: Connection = {
      peripheral,
      characteristic,
      detach: () => {
        characteristic.removeListener('data', onData);
        peripheral.removeListener('disconnect', onDisconnect);
      },
    };
    characteristic.on('data', onData);
    peripheral.on('disconnect', onDisconnect);
    this.conn = conn;
  }
}

function outOfRange(address: string, timeoutMs: number): LinkError {
  return new LinkError(
    'out-of-range',
    `${address} did not answer over Bluetooth within ${Math.round(timeoutMs / 1000)} s.`,
    'Bring the device closer (within a few metres), check it is in update mode and not connected to a phone, then try again.',
  );
}

/** HCI disconnect reasons a technician meets (Bluetooth Core Vol 1 Part F). */
const HCI_REASONS: Record<number, string> = {
  0x08: 'connection timeout: the device went out of range or lost power',
  0x13: 'the device ended the connection',
  0x16: 'this computer ended the connection',
  0x3e: 'the connection could not be established',
};

function disconnectText(reason: number | string): string {
  if (typeof reason === 'number') return HCI_REASONS[reason] ?? `HCI status 0x${reason.toString(16).padStart(2, '0')}`;
  return reason;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
