import type { Clock } from '../links/clock';
import { SimDevice, type SimDeviceOptions } from './device';
import { GatewayFieldGroup } from './gateway-group';
import { DEFAULT_RADIO, type RadioLinkModel, type RadioParams } from './radio';
import { RadioEndpoint } from './radio-endpoint';
import { seededRandom, type Random } from './rng';
import type { TimingModel } from './timing';

/** A group of identical devices behind the gateway. */
export interface GatewayDeviceGroup {
  board: string;
  count: number;
  /** Running version (default `1.0.0+0`). */
  version?: string;
  /** Start in manual update mode (default true: the technician prepared them). */
  updateMode?: boolean;
  /** Frame loss rate to and from each device (default 0). */
  lossRate?: number;
  /** RSSI, dBm (default −70, spread a little per device). */
  rssi?: number;
  /** Extra device options (faults, timing, …). */
  device?: Partial<Omit<SimDeviceOptions, 'clock' | 'id' | 'board'>>;
}

/** What {@link createSimGateway} builds from. */
export interface SimGatewayOptions {
  clock: Clock;
  devices: GatewayDeviceGroup[];
  /** Gateway board (default `sf-gw-2`, the board of vector s05). */
  board?: string;
  /** Gateway EUI-64 (default `5f1a6a7e00000001`). */
  id?: string;
  /** Number of the first device, so that devices behind several simulated gateways have distinct EUI-64s (default 0). */
  firstDevice?: number;
  /** The gateway's own running version (default `2.0.0+0`). */
  version?: string;
  radio?: Partial<RadioParams>;
  /** Largest batch the gateway runs at once (default 16). */
  maxBatchSize?: number;
  seed?: number;
  /** Gateway SMP buffer (default 4096 × 4: batch_status of 50 targets and whole forwarded packets fit). */
  bufSize?: number;
  rejoinTimeoutMs?: number;
  /** Timing of the gateway itself (its serial line rate, processing). */
  timing?: Partial<TimingModel>;
}

/** A simulated gateway and the devices behind its radio. */
export interface SimGateway {
  /** The gateway itself: give it to `createSimLink`, `SimTransport` or a pty like any device. */
  gateway: SimDevice;
  field: GatewayFieldGroup;
  devices: SimDevice[];
  endpoints: Map<string, RadioEndpoint>;
  radio: RadioParams;
  /** Stops every timer of the gateway and its devices. */
  dispose(): void;
}

/** EUI-64 of device `n` behind a simulated gateway. */
export function gatewayDeviceId(n: number): string {
  return `5f1a5500${n.toString(16).padStart(8, '0')}`;
}

/**
 * "A gateway with N devices of these boards": e.g.
 * `createSimGateway({ clock, devices: [{ board: 'sf-dev-1', count: 30, lossRate: 0.05 }] })`.
 * Per-device radio links can be changed afterwards through `endpoints.get(id).link`
 * (loss, RSSI, `outOfRangeAt` for a device that walks away).
 */
export function createSimGateway(o: SimGatewayOptions): SimGateway {
  const seed = o.seed ?? 1;
  const random: Random = seededRandom(seed * 7919);
  const radio = { ...DEFAULT_RADIO, ...o.radio };
  const endpoints = new Map<string, RadioEndpoint>();
  const devices: SimDevice[] = [];
  let n = o.firstDevice ?? 0;
  for (const g of o.devices) {
    for (let i = 0; i < g.count; i++, n++) {
      const device = new SimDevice({
        board: g.board,
        id: gatewayDeviceId(n),
        version: g.version ?? '1.0.0+0',
        clock: o.clock,
        random: seededRandom(seed * 1000 + n),
        mode: g.updateMode === false ? 'normal' : 'update',
        ...g.device,
      });
      const link: RadioLinkModel = { lossRate: g.lossRate ?? 0, rssi: (g.rssi ?? -70) - (n % 7) * 2 };
      devices.push(device);
      endpoints.set(device.id, new RadioEndpoint(device, link, o.clock));
    }
  }
  const holder: { field?: GatewayFieldGroup } = {};
  const gateway = new SimDevice({
    board: o.board ?? 'sf-gw-2',
    id: o.id ?? '5f1a6a7e00000001',
    version: o.version ?? '2.0.0+0',
    clock: o.clock,
    random: seededRandom(seed),
    bufSize: o.bufSize ?? 4096,
    bufCount: 4,
    ...(o.timing ? { timing: o.timing } : {}),
    groups: (ctx) => {
      holder.field = new GatewayFieldGroup(ctx, { radio, endpoints, random, maxBatchSize: o.maxBatchSize ?? 16, ...(o.rejoinTimeoutMs ? { rejoinTimeoutMs: o.rejoinTimeoutMs } : {}) });
      return [holder.field];
    },
  });
  const field = holder.field;
  if (!field) throw new Error('The gateway field group was not created.');
  return {
    gateway,
    field,
    devices,
    endpoints,
    radio,
    dispose() {
      for (const b of field.batches.values()) b.dispose();
      gateway.dispose();
      for (const d of devices) d.dispose();
    },
  };
}
