import { DeviceError } from '../devices/errors';
import type { SmpBody } from '../smp';
import { displayVersion } from '../image/version';

/** One device a gateway heard (field-group.md `scan`). */
export interface ScannedDevice {
  id: string;
  board: string;
  hw: string;
  version: string;
  mode: 'normal' | 'update';
  rssi: number;
  led: string;
}

/** Target states of `batch_status` (field-group.md). */
export const TARGET_STATES = ['queued', 'transferring', 'verifying', 'installing', 'rebooting', 'joined', 'failed', 'rolled_back', 'cancelled'] as const;
export type TargetState = (typeof TARGET_STATES)[number];

/** One target of a gateway batch. */
export interface TargetStatus {
  id: string;
  state: TargetState;
  bytes: number;
  total: number;
  /** Short machine-readable reason (`radio_loss`, `timeout`, …). */
  err?: string;
}

/** A `batch_status` answer. */
export interface BatchStatus {
  state: 'running' | 'done' | 'cancelled';
  targets: TargetStatus[];
}

/** Reads a `scan` answer; update-mode devices first, then by RSSI (whatever order the gateway used). */
export function parseScan(body: SmpBody): ScannedDevice[] {
  if (!Array.isArray(body.devices)) throw new DeviceError('protocol', 'The gateway answered scan without a device list.');
  const out = body.devices.map((d: unknown): ScannedDevice => {
    const e = (d ?? {}) as SmpBody;
    const mode = e.mode === 'update' ? 'update' : 'normal';
    if (typeof e.id !== 'string') throw new DeviceError('protocol', 'The gateway listed a device without an id.');
    return { id: e.id, board: String(e.board ?? ''), hw: String(e.hw ?? ''), version: displayVersion(String(e.version ?? '')), mode, rssi: typeof e.rssi === 'number' ? e.rssi : -127, led: String(e.led ?? '') };
  });
  return out.sort((a, b) => Number(b.mode === 'update') - Number(a.mode === 'update') || b.rssi - a.rssi);
}

/** Reads a `batch_status` answer. */
export function parseBatchStatus(body: SmpBody): BatchStatus {
  const { state, targets } = body;
  if ((state !== 'running' && state !== 'done' && state !== 'cancelled') || !Array.isArray(targets)) {
    throw new DeviceError('protocol', 'The gateway answered batch_status without a state or targets.');
  }
  return {
    state,
    targets: targets.map((t: unknown): TargetStatus => {
      const e = (t ?? {}) as SmpBody;
      if (typeof e.id !== 'string' || !TARGET_STATES.includes(e.state as TargetState)) throw new DeviceError('protocol', `The gateway reported an unknown target state "${String(e.state)}".`);
      const s: TargetStatus = { id: e.id, state: e.state as TargetState, bytes: Number(e.bytes ?? 0), total: Number(e.total ?? 0) };
      if (typeof e.err === 'string') s.err = e.err;
      return s;
    }),
  };
}
