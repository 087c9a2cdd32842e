import type { SmpBody } from '../../smp';
import { DeviceError } from '../errors';

type TypeName = 'string' | 'number' | 'boolean' | 'bytes';
type TypeOf<T extends TypeName> = T extends 'string' ? string : T extends 'number' ? number : T extends 'boolean' ? boolean : Uint8Array;

/** A required answer field of the given type; a missing or mistyped one is a protocol error. */
export function field<T extends TypeName>(body: SmpBody, key: string, type: T): TypeOf<T> {
  const value = optionalField(body, key, type);
  if (value === undefined) throw new DeviceError('protocol', `The device's answer lacks "${key}" (${type}).`, { key });
  return value;
}

/** An optional answer field; present with the wrong type is a protocol error. */
export function optionalField<T extends TypeName>(body: SmpBody, key: string, type: T): TypeOf<T> | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  const ok = type === 'bytes' ? value instanceof Uint8Array : type === 'number' ? Number.isInteger(value) : typeof value === type;
  if (!ok) throw new DeviceError('protocol', `The device's answer has "${key}" of the wrong type (expected ${type}).`, { key });
  return value as TypeOf<T>;
}
