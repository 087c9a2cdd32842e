import { describe, expect, it } from 'vitest';
import type { KeychainBackend } from '../../../main/secrets/keychain';
import { Redactor } from '../../../main/secrets/redact';
import { netKeyName } from '../../../main/secrets/secret-names';
import { SecretStore } from '../../../main/secrets/secret-store';
import { secretsFacade } from '../../../main/secrets/secrets-facade';
import { SiteflashError } from '../../../main/errors';

/** A keytar double at the library boundary: an in-memory map per service. */
function memoryKeychain(): KeychainBackend & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getPassword: async (s, a) => items.get(`${s}/${a}`) ?? null,
    setPassword: async (s, a, p) => void items.set(`${s}/${a}`, p),
    deletePassword: async (s, a) => items.delete(`${s}/${a}`),
    findCredentials: async (s) =>
      [...items].filter(([k]) => k.startsWith(`${s}/`)).map(([k, password]) => ({ account: k.slice(s.length + 1), password })),
  };
}

describe('SecretStore', () => {
  it('keeps secrets under the siteflash service with cloud-token and net-key:<projectId> accounts', async () => {
    const kc = memoryKeychain();
    const store = new SecretStore({ backend: async () => kc, redactor: new Redactor() });
    await store.set('cloud-token', 'tok-123456');
    await store.set(netKeyName('p-north'), '00112233445566778899aabbccddeeff');
    expect([...kc.items.keys()].sort()).toEqual(['siteflash/cloud-token', 'siteflash/net-key:p-north']);
    expect(await store.list()).toEqual(['cloud-token', 'net-key:p-north']);
    expect(await store.has('net-key:p-north')).toBe(true);
    expect(await store.delete('net-key:p-north')).toBe(true);
    expect(await store.has('net-key:p-north')).toBe(false);
  });

  it('lists only names siteflash uses, never values', async () => {
    const kc = memoryKeychain();
    kc.items.set('siteflash/something-else', 'zzz');
    const store = new SecretStore({ backend: async () => kc, redactor: new Redactor() });
    await store.set('cloud-token', 'tok-abcdef');
    const names = await store.list();
    expect(names).toEqual(['cloud-token']);
    expect(JSON.stringify(names)).not.toContain('tok-abcdef');
  });

  it('refuses names and values it does not keep', async () => {
    const store = new SecretStore({ backend: async () => memoryKeychain(), redactor: new Redactor() });
    await expect(store.set('wifi-password' as 'cloud-token', 'x'.repeat(10))).rejects.toMatchObject({ kind: 'secret-name-invalid' });
    await expect(store.set('cloud-token', '')).rejects.toMatchObject({ kind: 'secret-empty' });
    expect(() => netKeyName('../etc')).toThrow(SiteflashError);
  });

  it('registers values it stores or reads with the redactor', async () => {
    const kc = memoryKeychain();
    kc.items.set('siteflash/net-key:p2', 'preexisting-key-value');
    const redactor = new Redactor();
    const store = new SecretStore({ backend: async () => kc, redactor });
    await store.set('cloud-token', 'tok-redact-me');
    await store.get('net-key:p2');
    expect(redactor.redact('tok-redact-me / preexisting-key-value')).toBe('[redacted] / [redacted]');
  });

  it('turns any keychain failure into keychain-unavailable with what to do', async () => {
    const store = new SecretStore({
      backend: async () => ({
        ...memoryKeychain(),
        setPassword: async () => {
          throw new Error('The name org.freedesktop.secrets was not provided by any .service files');
        },
      }),
      redactor: new Redactor(),
    });
    const err = await store.set('cloud-token', 'tok-123456').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SiteflashError);
    expect(err).toMatchObject({ kind: 'keychain-unavailable', userFault: true });
    expect((err as Error).message).toMatch(/has not stored this one anywhere else/);
    expect((err as Error).message).not.toContain('tok-123456');
  });
});

describe('secretsFacade', () => {
  it('lets callers set, check, list and delete but offers no way to read a value', async () => {
    const kc = memoryKeychain();
    const facade = secretsFacade(new SecretStore({ backend: async () => kc, redactor: new Redactor() }));
    await facade.set('cloud-token', 'tok-facade');
    expect(await facade.has('cloud-token')).toBe(true);
    expect(Object.keys(facade).sort()).toEqual(['delete', 'has', 'list', 'set']);
    expect('get' in facade).toBe(false);
    expect(Object.isFrozen(facade)).toBe(true);
  });
});
