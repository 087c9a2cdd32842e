import { EventEmitter } from 'node:events';
import type { Clock } from '../../../../main/links/clock';
import { SMP_CHARACTERISTIC_UUID, SMP_SERVICE_UUID } from '../../../../main/links/ble-noble';
import type { SimDevice } from '../../../../main/sim/device';
import { SimTransport, type LinkFaults } from '../../../../main/sim/sim-transport';
import { RadioSchedule, type RadioModel } from './radio-schedule';

/**
 * A double of `@stoprocent/noble` with noble's own API shape (state + 'stateChange',
 * startScanningAsync + 'discover', peripheral connectAsync / discoverSomeServicesAndCharacteristicsAsync /
 * mtu / 'disconnect', characteristic subscribeAsync / writeAsync(data, withoutResponse) / 'data').
 * Behind each peripheral sits a simulated device (main/sim) speaking the real SMP BLE framing
 * through a {@link SimTransport}, one per connection, sized to the negotiated MTU.
 */
export class NobleDouble extends EventEmitter {
  state = 'unknown';
  scanning = false;
  readonly scans: { uuids: string[] | undefined; allowDuplicates: boolean | undefined }[] = [];
  private initialised = false;
  private readonly peripherals: PeripheralDouble[] = [];
  private advertTimer: (() => void) | undefined;

  constructor(
    readonly clock: Clock,
    /** The state the adapter reports once noble opens it, as noble does when the first 'stateChange' listener is added. */
    private readonly adapterState = 'poweredOn',
    /** Advertising interval of every peripheral, ms. */
    private readonly advertIntervalMs = 100,
  ) {
    super();
    this.on('newListener', (event: string) => {
      if (event !== 'stateChange' || this.initialised) return;
      this.initialised = true;
      queueMicrotask(() => this.setState(this.adapterState));
    });
  }

  /** Adds a peripheral within reach of the adapter. */
  add(peripheral: PeripheralDouble): PeripheralDouble {
    this.peripherals.push(peripheral);
    return peripheral;
  }

  /** The adapter changes state (turned off in the settings, unplugged, …). */
  setState(state: string): void {
    this.state = state;
    if (state !== 'poweredOn') this.scanning = false;
    this.emit('stateChange', state);
  }

  async startScanningAsync(serviceUUIDs?: string[], allowDuplicates?: boolean): Promise<void> {
    if (this.state !== 'poweredOn') throw new Error(`Could not start scanning, state is ${this.state} (not poweredOn)`);
    this.scans.push({ uuids: serviceUUIDs, allowDuplicates });
    this.scanning = true;
    this.advertTimer?.();
    const advertise = () => {
      if (!this.scanning) return;
      for (const p of this.peripherals) {
        if (p.advertising && (!serviceUUIDs?.length || serviceUUIDs.some((u) => p.serviceUuids.includes(u)))) this.emit('discover', p);
      }
      this.advertTimer = this.clock.schedule(advertise, this.advertIntervalMs);
    };
    this.advertTimer = this.clock.schedule(advertise, Math.min(20, this.advertIntervalMs));
  }

  async stopScanningAsync(): Promise<void> {
    this.scanning = false;
    this.advertTimer?.();
    this.advertTimer = undefined;
  }
}

/** How a simulated peripheral behaves on the air. */
export interface PeripheralDoubleOptions {
  address: string;
  device: SimDevice;
  clock: Clock;
  name?: string;
  rssi?: number;
  /** ATT MTU the stacks agree on at connect (default 23). */
  mtu?: number;
  /** False: no SMP service (a plain BLE gadget). */
  hasSmp?: boolean;
  /** Connection events and packets per event; packets go at once when absent. */
  radio?: RadioModel;
  /** Wire faults inside each connection's transport. */
  faults?: LinkFaults;
  /** Re-cuts each notification the device sends (for split-point tests); identity when absent. */
  reslice?: (unit: Uint8Array) => Uint8Array[];
}

/** A peripheral: advertises while the device is up, connects, carries one SMP characteristic. */
export class PeripheralDouble extends EventEmitter {
  readonly id: string;
  readonly address: string;
  readonly advertisement: { localName?: string };
  readonly serviceUuids: string[];
  rssi: number;
  mtu: number | null = null;
  state = 'disconnected';
  /** False: out of range, or the device is not advertising. */
  inRange = true;
  /** True: the connect request is never answered (the device went out of range mid-connect). */
  connectHangs = false;
  /** Every write the central made, in order. */
  readonly writes: { data: Uint8Array; withoutResponse: boolean }[] = [];
  connects = 0;
  private readonly characteristic: CharacteristicDouble;
  private transport: SimTransport | undefined;
  private pendingConnect: ((err?: Error) => void) | undefined;

  constructor(readonly options: PeripheralDoubleOptions) {
    super();
    this.address = options.address.toLowerCase();
    this.id = this.address.replaceAll(':', '');
    this.rssi = options.rssi ?? -60;
    this.advertisement = options.name === undefined ? {} : { localName: options.name };
    this.serviceUuids = options.hasSmp === false ? ['180f'] : [SMP_SERVICE_UUID];
    this.characteristic = new CharacteristicDouble(this);
    // A device that resets or loses power drops its connection (supervision timeout).
    options.device.onPower((e) => e === 'down' && this.drop(0x08));
  }

  /** In range and powered: advertisements reach the adapter. */
  get advertising(): boolean {
    return this.inRange && this.options.device.isUp && this.state === 'disconnected';
  }

  async connectAsync(): Promise<void> {
    if (this.state === 'connected') throw new Error('Peripheral already connected');
    this.state = 'connecting';
    if (this.connectHangs || !this.inRange) {
      return new Promise<void>((resolve, reject) => (this.pendingConnect = (err) => (err ? reject(err) : resolve())));
    }
    this.establish();
  }

  cancelConnect(): void {
    if (this.state !== 'connecting') return;
    this.state = 'disconnected';
    this.pendingConnect?.(new Error('connection canceled!'));
    this.pendingConnect = undefined;
  }

  async disconnectAsync(): Promise<void> {
    this.drop(0x16);
  }

  async discoverSomeServicesAndCharacteristicsAsync(serviceUUIDs: string[], characteristicUUIDs: string[]): Promise<{ characteristics: CharacteristicDouble[] }> {
    if (this.state !== 'connected') throw new Error('Peripheral not connected');
    const wanted = this.serviceUuids.some((u) => serviceUUIDs.includes(u)) && characteristicUUIDs.includes(SMP_CHARACTERISTIC_UUID);
    return { characteristics: wanted ? [this.characteristic] : [] };
  }

  /** The connection ends from the radio side: the HCI reason noble reports (0x08 supervision timeout). */
  drop(reason: number | string = 0x08): void {
    if (this.state !== 'connected') return;
    this.state = 'disconnected';
    this.mtu = null;
    this.transport?.dispose();
    this.transport = undefined;
    this.characteristic.subscribed = false;
    this.emit('disconnect', reason);
  }

  /** Called by the characteristic: one write from the central reaches the device after its slot. */
  deliver(data: Uint8Array, withoutResponse: boolean): Promise<void> {
    const transport = this.transport;
    if (!transport || this.state !== 'connected') return Promise.reject(new Error('Peripheral not connected'));
    const max = (this.mtu ?? 23) - 3;
    if (data.length > max) return Promise.reject(new Error(`ATT write of ${data.length} bytes exceeds MTU − 3 = ${max}`));
    this.writes.push({ data: data.slice(), withoutResponse });
    const copy = data.slice();
    return this.at(this.uplink, () => transport.input(copy));
  }

  private uplink: RadioSchedule | undefined;
  private downlink: RadioSchedule | undefined;

  private establish(): void {
    const { options } = this;
    this.state = 'connected';
    this.connects++;
    this.mtu = options.mtu ?? 23;
    const transport = new SimTransport(options.device, { framing: 'ble', clock: options.clock, maxWrite: this.mtu - 3, ...(options.faults ? { faults: options.faults } : {}) });
    this.transport = transport;
    this.uplink = options.radio && new RadioSchedule(options.clock, options.radio);
    this.downlink = options.radio && new RadioSchedule(options.clock, options.radio);
    transport.onLinkState((s) => s === 'disconnected' && this.drop(0x08));
    transport.onOutput((unit) => {
      for (const piece of options.reslice ? options.reslice(unit) : [unit]) {
        void this.at(this.downlink, () => {
          if (this.transport === transport) this.characteristic.notify(piece);
        });
      }
    });
  }

  /** Runs `fn` at the schedule's next slot (at once without a radio model); resolves after. */
  private at(schedule: RadioSchedule | undefined, fn: () => void): Promise<void> {
    if (!schedule) {
      return new Promise((resolve) => queueMicrotask(() => (fn(), resolve())));
    }
    const when = schedule.next();
    return new Promise((resolve) => this.options.clock.schedule(() => (fn(), resolve()), when - this.options.clock.now()));
  }
}

/** The SMP characteristic: write without response in, notifications out. */
export class CharacteristicDouble extends EventEmitter {
  readonly uuid = SMP_CHARACTERISTIC_UUID;
  subscribed = false;

  constructor(private readonly peripheral: PeripheralDouble) {
    super();
  }

  async subscribeAsync(): Promise<void> {
    this.subscribed = true;
  }

  async unsubscribeAsync(): Promise<void> {
    this.subscribed = false;
  }

  writeAsync(data: Buffer, withoutResponse: boolean): Promise<void> {
    return this.peripheral.deliver(new Uint8Array(data.buffer, data.byteOffset, data.length), withoutResponse);
  }

  /** The device notifies: noble emits 'data' with isNotification true, only while subscribed. */
  notify(piece: Uint8Array): void {
    if (this.subscribed) this.emit('data', Buffer.from(piece), true);
  }
}
