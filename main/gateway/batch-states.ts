import type { DeviceState } from '../jobs/types';
import type { TargetStatus } from './answers';

/**
 * Where a gateway target stands in the engine's device states (DESIGN.md "Device states"):
 * queued waits as `verified`; transferring and verifying are the transfer; installing and
 * rebooting are `installing`; joined is `rejoined` (confirm and the LED check are the engine's).
 */
export function engineStateOf(state: TargetStatus['state']): DeviceState {
  switch (state) {
    case 'queued':
      return 'verified';
    case 'transferring':
    case 'verifying':
      return 'transferring';
    case 'installing':
    case 'rebooting':
      return 'installing';
    case 'joined':
      return 'rejoined';
    case 'failed':
      return 'failed';
    case 'rolled_back':
      return 'rolled-back';
    case 'cancelled':
      return 'cancelled';
  }
}

const REASONS: Record<string, string> = {
  timeout: 'The device stopped answering the gateway (out of range or without power).',
  radio_loss: 'Too many radio fragments were lost, even after repair: move the device closer to the gateway and retry.',
  hash_mismatch: 'The image the device rebuilt does not match the staged image; nothing was installed.',
  incompatible_board: 'The image does not fit this device\'s board; nothing was installed.',
  power_loss: 'The device lost power while installing.',
  flash_error: 'The device could not write the image to its flash.',
  cancelled: 'Cancelled by the technician.',
  rolled_back: 'The device came back running its old image: MCUboot did not keep the new one.',
};

/** A readable reason for a target's `err` (and its stable kind, `gateway-<err>`). */
export function reasonOf(t: Pick<TargetStatus, 'state' | 'err'>): { kind: string; message: string } {
  const key = t.err ?? (t.state === 'rolled_back' ? 'rolled_back' : t.state === 'cancelled' ? 'cancelled' : 'unknown');
  return { kind: `gateway-${key.replace(/_/g, '-')}`, message: REASONS[key] ?? `The gateway reported "${key}" for this device.` };
}
