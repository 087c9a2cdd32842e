import { SiteflashError } from '../errors';
import { keychainUnavailable, loadKeytar, type KeychainBackend } from './keychain';
import { secretRedactor, type Redactor } from './redact';
import { checkSecretName, isSecretName, keychainService, type SecretName } from './secret-names';

/**
 * The OS keychain (through keytar), under the data folder's service ({@link keychainService}) unless
 * told another. Core-internal: it can read secret values,
 * so it is never handed to the renderer — give the renderer {@link secretsFacade} instead.
 *
 * There is no fallback: when the keychain is unavailable every call rejects with
 * `keychain-unavailable` and nothing is written to disk, the database or a log.
 * Every value set or read is registered with the redactor so loggers can scrub it.
 */
export class SecretStore {
  private backend: Promise<KeychainBackend> | null = null;
  private readonly service: string;

  constructor(
    private readonly options: { backend?: () => Promise<KeychainBackend>; service?: string; redactor?: Redactor } = {},
  ) {
    this.service = options.service ?? keychainService();
  }

  /** Stores (or replaces) a secret. */
  async set(name: SecretName, value: string): Promise<void> {
    checkSecretName(name);
    if (value.length === 0) throw new SiteflashError('secret-empty', 'An empty value cannot be stored as a secret.');
    this.redactor.add(value);
    await this.call((k) => k.setPassword(this.service, name, value));
  }

  /** Reads a secret's value, or null if not set. Core-internal only. */
  async get(name: SecretName): Promise<string | null> {
    checkSecretName(name);
    const value = await this.call((k) => k.getPassword(this.service, name));
    if (value !== null) this.redactor.add(value);
    return value;
  }

  /** True if the secret is set. */
  async has(name: SecretName): Promise<boolean> {
    return (await this.list()).includes(checkSecretName(name));
  }

  /** Deletes a secret; resolves to false if it was not set. */
  async delete(name: SecretName): Promise<boolean> {
    checkSecretName(name);
    return this.call((k) => k.deletePassword(this.service, name));
  }

  /** Names of the secrets set, without their values, sorted. */
  async list(): Promise<SecretName[]> {
    const creds = await this.call((k) => k.findCredentials(this.service));
    return creds
      .map((c) => c.account)
      .filter(isSecretName)
      .sort();
  }

  private get redactor(): Redactor {
    return this.options.redactor ?? secretRedactor;
  }

  private async call<T>(op: (k: KeychainBackend) => Promise<T>): Promise<T> {
    this.backend ??= (this.options.backend ?? loadKeytar)();
    const backend = await this.backend.catch((err: unknown) => {
      this.backend = null;
      throw err instanceof SiteflashError ? err : keychainUnavailable(err);
    });
    try {
      return await op(backend);
    } catch (err) {
      throw keychainUnavailable(err);
    }
  }
}
