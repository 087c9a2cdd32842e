import { sign } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import * as tar from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { buildImage, seededBody } from '../../../main/image/build';
import { buildBundle, writeBundleFolder, writeBundleTar, type BuiltBundle } from '../../../main/image/bundle-build';
import { BundleStore } from '../../../main/image/bundle-store';
import { keyStoreFor } from '../../../main/image/key-store';
import { selectImage } from '../../../main/image/select';
import { verifyImageFile } from '../../../main/image/verify-file';
import { demoKeysFor } from '../../../main/demo/demo-keys';
import { ed25519Pair } from './helpers';

const tmp = mkdtempSync(path.join(tmpdir(), 'sf-bundle-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const fresh = (label: string) => path.join(tmp, `${label}-${n++}`);

const img = ed25519Pair('fleet-image', 'image');
const rel = ed25519Pair('fleet-release', 'release');
const stranger = ed25519Pair('stranger', 'release');
const keys = [img.key, rel.key];

const nodeImage = buildImage({ body: seededBody('node', 20_000), version: '2.1.0+3', signingKey: img.priv, securityCounter: 5, board: 'sf-node-1' });
const gwImage = buildImage({ body: seededBody('gw', 9_000), version: '1.4.2', signingKey: img.priv, board: 'sf-gw-2' });

function make(o: { id?: string; releaseKey?: typeof rel.priv; node?: Uint8Array } = {}): BuiltBundle {
  return buildBundle({
    id: o.id ?? 'site-2026.11',
    systemVersion: '2026.11.0',
    name: 'November release',
    created: '2026-11-20T08:00:00Z',
    releaseKey: o.releaseKey ?? rel.priv,
    components: [
      { board: 'sf-node-1', hwRevisions: ['B', 'C'], name: 'node-2.1.0.bin', image: o.node ?? nodeImage, rules: { minUpgradeFrom: '1.8.0' } },
      { board: 'sf-gw-2', hwRevisions: ['1'], name: 'gw-1.4.2.bin', image: gwImage },
    ],
  });
}

/** Changes the manifest JSON and signs it again with the release key (a validly signed but wrong manifest). */
function resigned(b: BuiltBundle, change: (m: Record<string, unknown> & { components: Record<string, unknown>[] }) => void): BuiltBundle {
  const m = structuredClone(b.manifest) as unknown as Record<string, unknown> & { components: Record<string, unknown>[] };
  change(m);
  const json = Buffer.from(JSON.stringify(m));
  const files = new Map(b.files);
  files.set('manifest.json', json);
  files.set('manifest.sig', sign(null, json, rel.priv));
  return { manifest: b.manifest, files };
}

async function folderOf(b: BuiltBundle): Promise<string> {
  const dir = fresh('src');
  await writeBundleFolder(dir, b);
  return dir;
}

const storeAt = (data = fresh('data')) => new BundleStore(data, async () => keys);

describe('release bundles: import and store', () => {
  it('imports a bundle folder, stores exactly the verified files and lists it', async () => {
    const store = storeAt();
    const src = await folderOf(make());
    writeFileSync(path.join(src, 'images', 'stray.bin'), 'not listed');
    const r = await store.importBundle(src);
    expect(r).toMatchObject({ ok: true, releaseKey: { name: 'fleet-release' }, storedAt: path.join(store.root, 'site-2026.11') });
    expect(readdirSync(path.join(store.root, 'site-2026.11', 'images')).sort()).toEqual(['gw-1.4.2.bin', 'node-2.1.0.bin']);
    expect(readdirSync(store.root)).toEqual(['site-2026.11']);
    expect(await store.list()).toMatchObject([{ id: 'site-2026.11', systemVersion: '2026.11.0', components: [{ board: 'sf-node-1', version: '2.1.0+3' }, { board: 'sf-gw-2' }] }]);
    expect(await store.verify('site-2026.11')).toMatchObject({ ok: true });
  });

  it('imports from a tar archive and from a gzip tar with a top-level folder', async () => {
    const plain = fresh('b') + '.tar';
    await writeBundleTar(plain, make());
    expect(await storeAt().importBundle(plain)).toMatchObject({ ok: true });
    const zipped = fresh('b') + '.tar.gz';
    const inner = fresh('inner') + '.tar';
    await writeBundleTar(inner, make(), 'site-2026.11');
    await pipeline(createReadStream(inner), createGzip(), createWriteStream(zipped));
    expect(await storeAt().importBundle(zipped)).toMatchObject({ ok: true, manifest: { id: 'site-2026.11' } });
  });

  it('treats a repeated import as already stored and refuses a different bundle under the same id', async () => {
    const store = storeAt();
    await store.importBundle(await folderOf(make()));
    expect(await store.importBundle(await folderOf(make()))).toMatchObject({ ok: true, alreadyStored: true });
    const other = make({ node: buildImage({ body: seededBody('node2', 100), version: '2.1.1', signingKey: img.priv }) });
    await expect(store.importBundle(await folderOf(other))).rejects.toMatchObject({ kind: 'bundle-exists' });
  });

  it('re-verifies a stored bundle and notices an image altered on disk later', async () => {
    const store = storeAt();
    await store.importBundle(await folderOf(make()));
    const file = path.join(store.root, 'site-2026.11', 'images', 'gw-1.4.2.bin');
    const bytes = readFileSync(file);
    bytes[600] = (bytes[600] ?? 0) ^ 1;
    writeFileSync(file, bytes);
    expect(await store.verify('site-2026.11')).toMatchObject({ ok: false, reason: 'sha256-mismatch', file: 'images/gw-1.4.2.bin' });
    await expect(store.verify('nope')).rejects.toMatchObject({ kind: 'bundle-not-found' });
  });

  it('refuses, through the key store, a bundle signed with the data folder\'s own demo keys: they are trusted for the demo site only', async () => {
    const resources = path.resolve(import.meta.dirname, '../../../resources');
    const data = fresh('data');
    const demo = await demoKeysFor(data);
    const image = buildImage({ body: seededBody('demo', 4000), version: '1.0.0', signingKey: demo.image, board: 'sf-node-1' });
    const b = buildBundle({ id: 'demo', systemVersion: 'demo-1', created: '2026-01-01T00:00:00Z', releaseKey: demo.release, components: [{ board: 'sf-node-1', hwRevisions: ['B'], name: 'n.bin', image }] });
    const ks = keyStoreFor(data, resources);
    const r = await new BundleStore(data, () => ks.keys()).importBundle(await folderOf(b));
    expect(r).toMatchObject({ ok: false, reason: 'unknown-release-key' });
    // The image alone is not VALID either.
    const file = `${fresh('img')}-demo.bin`;
    writeFileSync(file, image);
    expect(await verifyImageFile(file, await ks.keys('image'))).toMatchObject({ valid: false });
  });
});

describe('release bundles: refusals', () => {
  const refusedWith = async (b: BuiltBundle | string, reason: string, tweak?: (dir: string) => void) => {
    const store = storeAt();
    const src = typeof b === 'string' ? b : await folderOf(b);
    tweak?.(src);
    const r = await store.importBundle(src);
    expect(r).toMatchObject({ ok: false, reason });
    expect(existsSync(store.root) ? readdirSync(store.root) : []).toEqual([]);
    return r;
  };

  it('refuses a manifest changed after signing', async () => {
    await refusedWith(make(), 'manifest-signature', (dir) => {
      const f = path.join(dir, 'manifest.json');
      writeFileSync(f, readFileSync(f, 'utf8').replace('2.1.0+3', '2.1.0+4'));
    });
  });

  it('refuses a changed or missing signature', async () => {
    await refusedWith(make(), 'manifest-signature', (dir) => {
      const f = path.join(dir, 'manifest.sig');
      const s = readFileSync(f);
      s[5] = (s[5] ?? 0) ^ 1;
      writeFileSync(f, s);
    });
    await refusedWith(make(), 'manifest-signature', (dir) => rmSync(path.join(dir, 'manifest.sig')));
  });

  it('refuses a bundle signed by an untrusted release key, or by a key trusted only for images', async () => {
    const r = await refusedWith(make({ releaseKey: stranger.priv }), 'unknown-release-key');
    expect(r.ok || r.message).toContain(stranger.key.fingerprint.slice(0, 16));
    await refusedWith(make({ releaseKey: img.priv }), 'unknown-release-key');
  });

  it('refuses an image changed after the manifest was signed', async () => {
    await refusedWith(make(), 'sha256-mismatch', (dir) => {
      const f = path.join(dir, 'images/node-2.1.0.bin');
      const b = readFileSync(f);
      b[1000] = (b[1000] ?? 0) ^ 0x40;
      writeFileSync(f, b);
    });
  });

  it('refuses a listed image that is missing or of another size', async () => {
    await refusedWith(make(), 'file-missing', (dir) => rmSync(path.join(dir, 'images/gw-1.4.2.bin')));
    await refusedWith(resigned(make(), (m) => (m.components[1]!.size = 9)), 'size-mismatch');
  });

  it('refuses an image whose own MCUboot signature is not by a trusted image key, with its category', async () => {
    const foreign = buildImage({ body: seededBody('node', 20_000), version: '2.1.0+3', signingKey: stranger.priv, securityCounter: 5, board: 'sf-node-1' });
    const r = await refusedWith(make({ node: foreign }), 'image-invalid');
    expect(r.ok ? null : r.imageVerdict?.category).toBe('unknown-key');
  });

  it('refuses a signed manifest that disagrees with the image (version, security counter, board tag)', async () => {
    await refusedWith(resigned(make(), (m) => (m.components[0]!.version = '2.1.0+4')), 'image-mismatch');
    await refusedWith(resigned(make(), (m) => (m.components[0]!.securityCounter = 6)), 'image-mismatch');
    await refusedWith(resigned(make(), (m) => (m.components[1]!.board = 'sf-node-1')), 'image-mismatch');
  });

  it('refuses a signed manifest with an unknown rule or field rather than ignoring it', async () => {
    await refusedWith(resigned(make(), (m) => (m.components[0]!.rules = { maxUpgradeFrom: '3.0.0' })), 'manifest-invalid');
    await refusedWith(resigned(make(), (m) => (m.format = 'siteflash-bundle/2')), 'manifest-invalid');
    await refusedWith(resigned(make(), (m) => (m.components[0]!.file = '../evil.bin')), 'manifest-invalid');
  });

  it('refuses archives with unsafe paths or links', async () => {
    for (const entry of [{ name: '../manifest.json' }, { name: 'images/x.bin', type: 'symlink' as const, linkname: '/etc/passwd' }]) {
      const file = fresh('evil') + '.tar';
      const pack = tar.pack();
      const done = pipeline(pack, createWriteStream(file));
      if (entry.type) pack.entry({ ...entry, size: 0 });
      else pack.entry(entry, 'x');
      pack.finalize();
      await done;
      await expect(storeAt().importBundle(file)).rejects.toMatchObject({ kind: 'bundle-unreadable' });
    }
  });

  it('feeds selectImage from a verified manifest', async () => {
    const r = await storeAt().importBundle(await folderOf(make()));
    if (!r.ok) throw new Error(r.message);
    expect(selectImage({ board: 'sf-node-1', hwRev: 'C', version: '2.0.0', securityCounter: 5 }, r.manifest)).toMatchObject({ ok: true, component: { file: 'images/node-2.1.0.bin', securityCounter: 5 } });
    expect(selectImage({ board: 'sf-node-1', hwRev: 'C', version: '1.7.0' }, r.manifest)).toMatchObject({ ok: false, reason: 'not-upgradable-from' });
    expect(selectImage({ board: 'sf-node-1', hwRev: 'C', version: '2.0.0', securityCounter: 6 }, r.manifest)).toMatchObject({ ok: false, reason: 'security-counter-lower' });
  });
});
