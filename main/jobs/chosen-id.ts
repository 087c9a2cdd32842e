import type { DevicePatch, DeviceRow } from '../store/journal';
import { isEnd } from './state-machine';
import type { DeviceState, JobTarget } from './types';

/**
 * The patch for a device's move to `to`, with its id filled in when it ends without ever having
 * reported one (it failed or was cancelled before it answered): the audit row and the snapshot
 * then name the device the technician chose (`expectedDeviceId`). Only the id: board and versions
 * stay unknown, since nothing was read from the device. A `wrong-device` end keeps no id: a
 * different device answered there, so the chosen one was never reached, and the reason names both.
 */
export function withChosenId(row: Pick<DeviceRow, 'deviceId'>, target: JobTarget, to: DeviceState, patch: DevicePatch): DevicePatch {
  const chosen = target.expectedDeviceId;
  if (!chosen || !isEnd(to) || row.deviceId !== null || patch.deviceId !== undefined || patch.reasonKind === 'wrong-device') return patch;
  return { ...patch, deviceId: chosen };
}
