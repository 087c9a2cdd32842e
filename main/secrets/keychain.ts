import { SiteflashError } from '../errors';

/** The part of keytar siteflash uses: the seam where tests may put a double. */
export interface KeychainBackend {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  findCredentials(service: string): Promise<Array<{ account: string; password: string }>>;
}

/** Loads keytar (a native module) lazily, so a missing build is a `keychain-unavailable`, not a crash at start. */
export async function loadKeytar(): Promise<KeychainBackend> {
  try {
    const mod = (await import('keytar')) as KeychainBackend & { default?: KeychainBackend };
    return mod.default ?? mod;
  } catch (err) {
    throw keychainUnavailable(err);
  }
}

const HOW_TO_FIX: Partial<Record<NodeJS.Platform, string>> = {
  linux:
    'Start and unlock a Secret Service keyring (GNOME Keyring or KWallet) in your desktop session, then try again.',
  darwin: 'Unlock the login keychain (Keychain Access), then try again.',
  win32: 'Make sure Windows Credential Manager is available for your account, then try again.',
};

/** The `keychain-unavailable` error: why, what to do, and that nothing was stored elsewhere. */
export function keychainUnavailable(cause: unknown, platform: NodeJS.Platform = process.platform): SiteflashError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new SiteflashError(
    'keychain-unavailable',
    `The system keychain is not available (${why}). ${HOW_TO_FIX[platform] ?? 'Make sure the system keychain is available, then try again.'} ` +
      'siteflash keeps secrets only in the system keychain and has not stored this one anywhere else.',
    true,
    { cause: why },
  );
}
