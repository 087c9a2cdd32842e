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
  return createStore<SettingsState>()((set, get) => {
    // After a secret is stored, the status says which ones are set now (never their values).
    const stored = async (what: 'token' | 'net-key', result: Result<null>) => {
      if (!result.ok) {
        set({ busy: null, error: result.error });
        return false;
      }
      const secrets = await bridge().invoke('secrets:status', {});
      set({ busy: null, saved: what, secrets: secrets.ok ? secrets.value : get().secrets });
      return true;
    };
    return {
      settings: null,
      secrets: null,
      busy: null,
      saved: null,
      error: null,
      async load() {
        const [settings, secrets] = await Promise.all([bridge().invoke('settings:get', {}), bridge().invoke('secrets:status', {})]);
        set({
          settings: settings.ok ? settings.value : get().settings,
          secrets: secrets.ok ? secrets.value : get().secrets,
          error: !settings.ok ? settings.error : !secrets.ok ? secrets.error : null,
        });
      },
      async save(changes) {
        set({ busy: 'settings', saved: null, error: null });
        const result = await bridge().invoke('settings:set', changes);
        if (result.ok) set({ settings: result.value, busy: null, saved: 'settings' });
        else set({ busy: null, error: result.error });
        return result.ok;
      },
      async setCloudToken(token) {
        set({ busy: 'token', saved: null, error: null });
        return stored('token', await bridge().invoke('secrets:set-cloud-token', { token }));
      },
      async setNetKey(projectId, keyHex) {
        set({ busy: 'net-key', saved: null, error: null });
        return stored('net-key', await bridge().invoke('secrets:set-net-key', { projectId, keyHex }));
      },
    };
  });
}
