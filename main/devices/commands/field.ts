import type { DeviceIdentityInfo } from '../../../preload/api';
import { FieldCmd, SmpGroup } from '../../smp';
import { DeviceError } from '../errors';
import type { SmpSession } from '../session';
import { field, optionalField } from './answer-fields';
import { isNotSupported } from './os';
import { displayVersion } from '../../image/version';

/** LED pattern names (field-group.md "LED patterns"). */
export const LED_PATTERNS = ['update-mode', 'receiving', 'installing', 'joined', 'error', 'identify', 'off'] as const;
export type LedPattern = (typeof LED_PATTERNS)[number];

/** What a device says it is (field-group.md, command 0): the contract's shape, typed once there. */
export type DeviceIdentity = DeviceIdentityInfo;

/**
 * Reads the field group identity. Returns undefined when the device has no field group
 * (a plain Zephyr/MCUboot device answers ENOTSUP: the field group adds, it never replaces).
 */
export async function fieldIdentity(session: SmpSession, signal?: AbortSignal): Promise<DeviceIdentity | undefined> {
  let body;
  try {
    body = await session.request({ op: 'read', group: SmpGroup.field, id: FieldCmd.identity, idempotent: true, signal });
  } catch (err) {
    if (isNotSupported(err)) return undefined;
    throw err;
  }
  const role = field(body, 'role', 'string');
  const mode = field(body, 'mode', 'string');
  if (role !== 'device' && role !== 'gateway') throw new DeviceError('protocol', `The device reported an unknown role "${role}".`);
  if (mode !== 'normal' && mode !== 'update') throw new DeviceError('protocol', `The device reported an unknown mode "${mode}".`);
  const identity: DeviceIdentity = {
    id: field(body, 'id', 'string'),
    board: field(body, 'board', 'string'),
    hw: field(body, 'hw', 'string'),
    role,
    mode,
    led: field(body, 'led', 'string'),
    radio: field(body, 'radio', 'string'),
    version: displayVersion(field(body, 'version', 'string')),
  };
  const pan = optionalField(body, 'pan', 'number');
  if (pan !== undefined) identity.pan = pan;
  return identity;
}

/** Makes a device (or, through a gateway, the `target`) show an LED pattern (field-group.md, command 7). */
export async function fieldLed(session: SmpSession, pattern: LedPattern, target?: string, signal?: AbortSignal): Promise<void> {
  await session.request({ op: 'write', group: SmpGroup.field, id: FieldCmd.led, body: target === undefined ? { pattern } : { target, pattern }, idempotent: true, signal });
}
