import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KeyStore, keyStoreFor } from '../../../main/image/key-store';
import { ed25519Pair } from './helpers';
import { VECTORS_DIR } from './vectors';

const tmp = mkdtempSync(path.join(tmpdir(), 'sf-keys-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const REPO_RESOURCES = path.resolve(import.meta.dirname, '../../../resources');
const pem = (f: string) => readFileSync(path.join(VECTORS_DIR, 'keys', f), 'utf8');

describe('KeyStore', () => {
  it('ships no key: no demo key, none of the vector keys (a shipped key would be trusted everywhere)', async () => {
    const store = keyStoreFor(path.join(tmp, 'empty-data'), REPO_RESOURCES);
    expect(await store.list()).toEqual([]);
    expect((await store.load()).problems).toEqual([]);
  });

  it('imports a PEM into <dataDir>/keys/<role>/ and lists it with type and fingerprint', async () => {
    const data = path.join(tmp, 'data1');
    const store = keyStoreFor(data, REPO_RESOURCES);
    const k = await store.importKey(pem('rsa-3072.pub.pem'), { name: 'fleet-rsa', role: 'image' });
    expect(k).toMatchObject({ type: 'rsa-3072', source: 'imported', fingerprint: '84471e9ad3f5d459b4f703b9c88b20765ec257d56906aeacb97ffd661ae5f254' });
    expect(readFileSync(path.join(data, 'keys/image/fleet-rsa.pub.pem'), 'utf8')).toContain('BEGIN PUBLIC KEY');
    expect((await store.keys('image')).map((x) => x.name)).toEqual(['fleet-rsa']);
    expect((await store.keys('release')).map((x) => x.name)).toEqual([]);
  });

  it('refuses a duplicate key or name in the same role, but allows the same key as a release key', async () => {
    const store = keyStoreFor(path.join(tmp, 'data2'), REPO_RESOURCES);
    await store.importKey(pem('ed25519.pub.pem'), { name: 'a', role: 'image' });
    await expect(store.importKey(pem('ed25519.pub.pem'), { name: 'b', role: 'image' })).rejects.toMatchObject({ kind: 'key-exists' });
    await expect(store.importKey(pem('ecdsa-p256.pub.pem'), { name: 'a', role: 'image' })).rejects.toMatchObject({ kind: 'key-exists' });
    await expect(store.importKey(pem('ed25519.pub.pem'), { name: 'a', role: 'release' })).resolves.toMatchObject({ role: 'release' });
  });

  it('refuses private keys, garbage and unsafe names on import', async () => {
    const store = keyStoreFor(path.join(tmp, 'data3'), REPO_RESOURCES);
    const priv = ed25519Pair().priv.export({ type: 'pkcs8', format: 'pem' }).toString();
    await expect(store.importKey(priv, { name: 'x', role: 'image' })).rejects.toMatchObject({ kind: 'invalid-key' });
    await expect(store.importKey('not a key', { name: 'x', role: 'image' })).rejects.toMatchObject({ kind: 'invalid-key' });
    await expect(store.importKey(pem('ed25519.pub.pem'), { name: '../evil', role: 'image' })).rejects.toMatchObject({ kind: 'invalid-key' });
  });

  it('reports an unreadable key file as a problem instead of dropping it silently, and removes imported keys only', async () => {
    const data = path.join(tmp, 'data4');
    mkdirSync(path.join(data, 'keys/image'), { recursive: true });
    writeFileSync(path.join(data, 'keys/image/broken.pub.pem'), 'junk');
    const store = new KeyStore({ shippedDir: path.join(REPO_RESOURCES, 'keys'), userDir: path.join(data, 'keys') });
    expect((await store.load()).problems).toMatchObject([{ file: expect.stringContaining('broken.pub.pem') }]);
    await store.importKey(pem('ecdsa-p384.pub.pem'), { name: 'p384', role: 'image' });
    await store.removeKey('p384', 'image');
    await expect(store.removeKey('p384', 'image')).rejects.toMatchObject({ kind: 'key-not-found' });
  });
});
