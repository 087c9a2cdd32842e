import type { PreflightCheck } from '../../preload/api';
import { line } from './check';

const TITLE = 'Keychain reachable';

/**
 * A harmless read of the OS keychain (the names of siteflash's secrets, never a value): network
 * keys, the cloud token and the laptop's signing key live there and nowhere else.
 */
export async function checkKeychain(keychain: { list(): Promise<readonly string[]> }, platform: NodeJS.Platform): Promise<PreflightCheck> {
  try {
    const names = await keychain.list();
    const keys = names.filter((n) => n.startsWith('net-key:')).length;
    return line('keychain', TITLE, 'ok', `The system keychain answers (${names.length} siteflash ${names.length === 1 ? 'secret' : 'secrets'} stored, ${keys} network ${keys === 1 ? 'key' : 'keys'}).`);
  } catch (err) {
    const fix =
      platform === 'linux' ? 'Start and unlock a Secret Service keyring (GNOME Keyring or KWallet) in your desktop session; on a minimal system install gnome-keyring and libsecret-1-0.'
      : platform === 'darwin' ? 'Unlock the login keychain (Keychain Access).'
      : 'Make sure Windows Credential Manager is available for your account.';
    return line('keychain', TITLE, 'fail', `The system keychain does not answer: network keys, the cloud token and report signing cannot be used. ${causeOf(err)}`, fix);
  }
}

/** The keychain's own words: the cause inside a `keychain-unavailable` error, else the message. */
function causeOf(err: unknown): string {
  const details = err && typeof err === 'object' && 'details' in err ? (err as { details?: { cause?: unknown } }).details : undefined;
  const text = typeof details?.cause === 'string' ? details.cause : err instanceof Error ? err.message : String(err);
  return `(${text})`;
}
