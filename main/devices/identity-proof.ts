import { realpath } from 'node:fs/promises';
import { osPortLister, type PortLister } from '../ports/os-ports';
import { fieldIdentity, type DeviceIdentity } from './commands/field';
import { DeviceError } from './errors';
import type { SmpSession } from './session';

/**
 * What a device offers as proof of which unit it is. Each part is set only when the device (or
 * its USB port) told it; a reconnect is the same device only when the parts both sides know agree.
 */
export interface DeviceProof {
  /** The field group identity's EUI-64 (field-group.md, command 0). */
  fieldId?: string;
  /** The USB serial number of the port the device enumerates as. */
  usbSerial?: string;
}

/** Where proof comes from besides SMP: the USB port's serial number, when the caller can read it. */
export interface ProofSources {
  usbSerial?: () => Promise<string | undefined>;
}

/**
 * The USB serial number of the serial port at `path` (symlinks such as /dev/serial/by-id resolved),
 * from the OS port list; undefined when the port is not USB or not listed.
 */
export async function usbSerialOf(path: string, list: PortLister = osPortLister()): Promise<string | undefined> {
  const real = (p: string) => realpath(p).catch(() => p);
  const want = await real(path);
  for (const port of await list()) {
    if (port.serialNumber && (port.path === path || (await real(port.path)) === want)) return port.serialNumber;
  }
  return undefined;
}

/** Reads the proof the device can give now: field identity, then the port's USB serial number. */
export async function readProof(session: SmpSession, sources: ProofSources = {}, signal?: AbortSignal): Promise<DeviceProof> {
  return readProofFrom(await fieldIdentity(session, signal), sources);
}

/** The proof from a field identity already read (undefined: no field group) and the port's serial number. */
export async function readProofFrom(identity: DeviceIdentity | undefined, sources: ProofSources = {}): Promise<DeviceProof> {
  const usbSerial = await sources.usbSerial?.().catch(() => undefined);
  return { ...(identity ? { fieldId: identity.id } : {}), ...(usbSerial ? { usbSerial } : {}) };
}

/** `same`: a shared part agrees; `unproven`: no part known on both sides; `other`: a shared part differs. */
export type ProofVerdict = 'same' | 'unproven' | 'other';

/** Compares the proof taken before a reset with the one after the reconnect. */
export function compareProof(before: DeviceProof, after: DeviceProof): ProofVerdict {
  let shared = 0;
  for (const key of ['fieldId', 'usbSerial'] as const) {
    const a = before[key];
    const b = after[key];
    if (a === undefined) continue;
    // A device that said who it was and now does not cannot prove it is the same unit.
    if (b === undefined || a !== b) return 'other';
    shared += 1;
  }
  return shared > 0 ? 'same' : 'unproven';
}

/**
 * After a reconnect: reads the proof again and throws `wrong-device` unless it matches what the
 * device said before. Returns `unproven` when the device gave no proof before (nothing to match).
 */
export async function proveSameDevice(session: SmpSession, before: DeviceProof, sources: ProofSources = {}, signal?: AbortSignal): Promise<Exclude<ProofVerdict, 'other'>> {
  const after = await readProof(session, sources, signal);
  const verdict = compareProof(before, after);
  if (verdict === 'other') {
    const was = describe(before);
    const now = describe(after);
    throw new DeviceError('wrong-device', `Another device answered on ${session.link.id}: expected ${was}, found ${now}. Nothing was recorded for it; reconnect the device that was being updated.`, {
      expected: before,
      found: after,
    });
  }
  return verdict === 'same' ? 'same' : 'unproven';
}

function describe(p: DeviceProof): string {
  const parts = [p.fieldId ? `device ${p.fieldId}` : '', p.usbSerial ? `USB serial ${p.usbSerial}` : ''].filter(Boolean);
  return parts.length ? parts.join(', ') : 'a device that does not say who it is';
}
