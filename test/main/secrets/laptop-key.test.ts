import { createPublicKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { KeychainBackend } from '../../../main/secrets/keychain';
import { laptopKey, publicPart } from '../../../main/secrets/laptop-key';
import { Redactor } from '../../../main/secrets/redact';
import { SecretStore } from '../../../main/secrets/secret-store';

/** A keytar double: an in-memory keychain, or one that is locked. */
function backend(locked = false): KeychainBackend & { items: Map<string, string> } {
  const items = new Map<string, string>();
  const guard = () => {
    if (locked) throw new Error('the keyring is locked');
  };
  return {
    items,
    getPassword: async (s, a) => (guard(), items.get(`${s}/${a}`) ?? null),
    setPassword: async (s, a, p) => void (guard(), items.set(`${s}/${a}`, p)),
    deletePassword: async (s, a) => (guard(), items.delete(`${s}/${a}`)),
    findCredentials: async (s) => (guard(), [...items].filter(([k]) => k.startsWith(`${s}/`)).map(([k, password]) => ({ account: k.slice(s.length + 1), password }))),
  };
}

describe('the laptop key', () => {
  it('is made on first use, stored in the keychain as laptop-key, and the same key afterwards', async () => {
    const kc = backend();
    const redactor = new Redactor();
    const store = new SecretStore({ backend: async () => kc, redactor });
    const first = await laptopKey(store);
    expect(first.createdNow).toBe(true);
    expect([...kc.items.keys()]).toEqual(['siteflash/laptop-key']);
    const second = await laptopKey(store);
    expect(second.createdNow).toBe(false);
    expect(second.fingerprint).toBe(first.fingerprint);
    const data = Buffer.from('visit report');
    expect(verify(null, data, createPublicKey(second.publicKeyPem), first.sign(data))).toBe(true);
    // What crosses to the renderer has no signing function and no private material.
    const shown = publicPart(second);
    expect(Object.keys(shown).sort()).toEqual(['algorithm', 'createdNow', 'fingerprint', 'publicKeyHex', 'publicKeyPem']);
    expect(JSON.stringify(shown)).not.toContain(kc.items.get('siteflash/laptop-key'));
    // The stored value is known to the log redactor.
    expect(redactor.redact(`x ${kc.items.get('siteflash/laptop-key') ?? ''} y`)).not.toContain(kc.items.get('siteflash/laptop-key'));
  });

  it('is not made at all when the keychain is locked: the call fails with keychain-unavailable', async () => {
    const kc = backend(true);
    await expect(laptopKey(new SecretStore({ backend: async () => kc }))).rejects.toMatchObject({ kind: 'keychain-unavailable' });
    expect(kc.items.size).toBe(0);
  });

  it('says how to recover when the keychain holds something that is not a key', async () => {
    const kc = backend();
    kc.items.set('siteflash/laptop-key', 'bm90IGEga2V5');
    await expect(laptopKey(new SecretStore({ backend: async () => kc }))).rejects.toMatchObject({ kind: 'laptop-key-invalid' });
  });
});
