import type { SecretName } from './secret-names';
import type { SecretStore } from './secret-store';

/**
 * What the renderer (through IPC) and the CLI may do with secrets: store, check, list names,
 * delete. There is deliberately no way to read a value back.
 */
export interface SecretsFacade {
  /** Stores a secret the technician typed (e.g. a project's network key). */
  set(name: SecretName, value: string): Promise<void>;
  /** True if the secret is set. */
  has(name: SecretName): Promise<boolean>;
  /** Names of the secrets set, never their values. */
  list(): Promise<SecretName[]>;
  /** Deletes a secret; false if it was not set. */
  delete(name: SecretName): Promise<boolean>;
}

/** Wraps the store so that `get` is not reachable from the returned object, not even by a cast. */
export function secretsFacade(store: SecretStore): SecretsFacade {
  return Object.freeze({
    set: (name: SecretName, value: string) => store.set(name, value),
    has: (name: SecretName) => store.has(name),
    list: () => store.list(),
    delete: (name: SecretName) => store.delete(name),
  });
}
