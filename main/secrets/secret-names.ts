import { resolve } from 'node:path';
import { SiteflashError } from '../errors';

/** Names of the secrets siteflash keeps: the cloud token, one network key per project, and the laptop's signing key. */
export type SecretName = 'cloud-token' | `net-key:${string}` | 'laptop-key';

/** Keychain service name the secrets of the usual data folder are stored under. */
export const KEYCHAIN_SERVICE = 'siteflash';

/**
 * The keychain service a data folder's secrets are stored under: `siteflash` for the platform's
 * usual folder, `siteflash:<absolute folder>` for one set by `SITEFLASH_DATA_DIR`. A data folder is
 * one installation: its journal, the laptop key that signs its reports and its cloud token go
 * together, and a scratch folder never reads or replaces the secrets of the real one.
 */
export function keychainService(env: NodeJS.ProcessEnv = process.env): string {
  return env.SITEFLASH_DATA_DIR ? `${KEYCHAIN_SERVICE}:${resolve(env.SITEFLASH_DATA_DIR)}` : KEYCHAIN_SERVICE;
}

const NET_KEY = /^net-key:[A-Za-z0-9._-]{1,64}$/;

/** True if `name` is a secret name siteflash uses. */
export function isSecretName(name: string): name is SecretName {
  return name === 'cloud-token' || name === 'laptop-key' || NET_KEY.test(name);
}

/** The account name of a project's network key. */
export function netKeyName(projectId: string): SecretName {
  const name = `net-key:${projectId}` as const;
  if (!isSecretName(name)) throw new SiteflashError('secret-name-invalid', `"${projectId}" is not a valid project id for a network key.`, false);
  return name;
}

/** Throws `secret-name-invalid` for names siteflash does not use. */
export function checkSecretName(name: string): SecretName {
  if (!isSecretName(name)) {
    throw new SiteflashError('secret-name-invalid', `"${name}" is not a secret siteflash keeps (expected cloud-token or net-key:<projectId>).`, false);
  }
  return name;
}
