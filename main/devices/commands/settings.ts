import { SettingsCmd, SmpGroup } from '../../smp';
import type { SmpSession } from '../session';
import { field } from './answer-fields';

/** Reads one setting's value (smp.md §3.3 id 0, read); values are opaque bytes. */
export async function settingsRead(session: SmpSession, name: string, signal?: AbortSignal): Promise<Uint8Array> {
  const body = await session.request({ op: 'read', group: SmpGroup.settings, id: SettingsCmd.readWrite, body: { name }, idempotent: true, signal });
  return field(body, 'val', 'bytes');
}

/** Writes one setting (id 0, write); the same value twice is harmless, so it may be resent. */
export async function settingsWrite(session: SmpSession, name: string, val: Uint8Array, signal?: AbortSignal): Promise<void> {
  await session.request({ op: 'write', group: SmpGroup.settings, id: SettingsCmd.readWrite, body: { name, val }, idempotent: true, signal });
}

/** Deletes one setting (id 1). Not resent: a second delete of a gone key answers "not found". */
export async function settingsDelete(session: SmpSession, name: string, signal?: AbortSignal): Promise<void> {
  await session.request({ op: 'write', group: SmpGroup.settings, id: SettingsCmd.delete, body: { name }, signal });
}

/** Applies written values to the running system (id 2). */
export async function settingsCommit(session: SmpSession, signal?: AbortSignal): Promise<void> {
  await session.request({ op: 'write', group: SmpGroup.settings, id: SettingsCmd.commit, idempotent: true, signal });
}

/** Persists all values, or one subtree (id 3, write). */
export async function settingsSave(session: SmpSession, name?: string, signal?: AbortSignal): Promise<void> {
  await session.request({ op: 'write', group: SmpGroup.settings, id: SettingsCmd.loadSave, body: name === undefined ? {} : { name }, idempotent: true, signal });
}

/** Reloads all values from persistent storage (id 3, read). */
export async function settingsLoad(session: SmpSession, signal?: AbortSignal): Promise<void> {
  await session.request({ op: 'read', group: SmpGroup.settings, id: SettingsCmd.loadSave, idempotent: true, signal });
}
