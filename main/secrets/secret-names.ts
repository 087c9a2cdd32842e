import { SiteflashError } from '../errors';

/** Names of the secrets siteflash keeps: the cloud token, one network key per project, and the laptop's signing key. */
export type SecretName = 'cloud-token' | `net-key:${string}` | 'laptop-key';

/** Keychain service name all siteflash secrets are stored under. */
export const KEYCHAIN_SERVICE = 'siteflash';

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
