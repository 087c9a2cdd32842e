import { createStore } from 'zustand/vanilla';
import type { AppSettings, ErrorValue, Result, SecretsStatus, SiteflashBridge } from '../../../preload/api';

/** The technician's settings and which secrets are set (never their values). */
export interface SettingsState {
  settings: AppSettings | null;
  secrets: SecretsStatus | null;
  /** What is being saved now: `settings`, `token` or `net-key`. */
  busy: 'settings' | 'token' | 'net-key' | null;
  /** The last thing saved, to confirm it on screen. */
  saved: 'settings' | 'token' | 'net-key' | null;
  error: ErrorValue | null;
  load(): Promise<void>;
  save(changes: Partial<AppSettings>): Promise<boolean>;
  /** Hands the token to the keychain; the renderer keeps no copy. */
  setCloudToken(token: string): Promise<boolean>;
  /** Hands a project's network key (32 hex digits) to the keychain; the renderer keeps no copy. */
  setNetKey(projectId: string, keyHex: string): Promise<boolean>;
}

export function createSettingsStore(bridge: () => SiteflashBridge) {
  return createStore<SettingsState>()((set) => {
    // Every request takes a ticket; an answer is kept only if no answer to a later request was
    // kept before it. A load started before a save (the keychain can take seconds to answer)
    // must not put back the settings the save replaced.
    let ticket = 0;
    const kept = { settings: 0, secrets: 0 };
    const keep = (part: keyof typeof kept, mine: number) => {
      if (mine < kept[part]) return false;
      kept[part] = mine;
      return true;
    };
    const secretsNow = async (mine: number) => {
      const secrets = await bridge().invoke('secrets:status', {});
      if (secrets.ok && keep('secrets', mine)) set({ secrets: secrets.value });
      return secrets;
    };
    // After a secret is stored, the status says which ones are set now (never their values).
    const stored = async (what: 'token' | 'net-key', mine: number, result: Result<null>) => {
      if (!result.ok) {
        set({ busy: null, error: result.error });
        return false;
      }
      await secretsNow(mine);
      set({ busy: null, saved: what });
      return true;
    };
    return {
      settings: null,
      secrets: null,
      busy: null,
      saved: null,
      error: null,
      async load() {
        const mine = ++ticket;
        // The settings are shown as soon as they come, without waiting for the keychain.
        const [settings, secrets] = await Promise.all([
          bridge().invoke('settings:get', {}).then((r) => {
            if (r.ok && keep('settings', mine)) set({ settings: r.value });
            return r;
          }),
          secretsNow(mine),
        ]);
        const error = !settings.ok ? settings.error : !secrets.ok ? secrets.error : null;
        if (error || mine === ticket) set({ error });
      },
      async save(changes) {
        const mine = ++ticket;
        set({ busy: 'settings', saved: null, error: null });
        const result = await bridge().invoke('settings:set', changes);
        if (!result.ok) set({ busy: null, error: result.error });
        else set({ ...(keep('settings', mine) ? { settings: result.value } : {}), busy: null, saved: 'settings' });
        return result.ok;
      },
      async setCloudToken(token) {
        const mine = ++ticket;
        set({ busy: 'token', saved: null, error: null });
        return stored('token', mine, await bridge().invoke('secrets:set-cloud-token', { token }));
      },
      async setNetKey(projectId, keyHex) {
        const mine = ++ticket;
        set({ busy: 'net-key', saved: null, error: null });
        return stored('net-key', mine, await bridge().invoke('secrets:set-net-key', { projectId, keyHex }));
      },
    };
  });
}
