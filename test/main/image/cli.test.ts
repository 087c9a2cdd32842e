import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleCommands } from '../../../main/cli/commands/bundle';
import { inspectCommand } from '../../../main/cli/commands/inspect';
import { verifyCommand } from '../../../main/cli/commands/verify';
import { EXIT, UsageError, type CliContext } from '../../../main/cli/command';
import { buildImage, seededBody } from '../../../main/image/build';
import { buildBundle, writeBundleFolder } from '../../../main/image/bundle-build';
import { keyStoreFor } from '../../../main/image/key-store';
import { ed25519Pair } from './helpers';
import { testSigningKeys } from './signing-keys';
import { VECTORS_DIR } from './vectors';

const tmp = mkdtempSync(path.join(tmpdir(), 'sf-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const img = (f: string) => path.join(VECTORS_DIR, 'images', f);
const key = (f: string) => path.join(VECTORS_DIR, 'keys', f);

function ctx(dataDir = path.join(tmp, 'data'), json = false) {
  const out: string[] = [];
  const err: string[] = [];
  const c: CliContext = { out: (t) => out.push(t), err: (t) => err.push(t), json, isTTY: false, dataDir, signal: new AbortController().signal };
  return { c, out, err, json: () => JSON.parse(out.join('\n')) as Record<string, unknown> };
}

describe('siteflash verify', () => {
  it('exits 0 for a valid image with --key and prints the JSON verdict', async () => {
    const t = ctx();
    expect(await verifyCommand.run([img('s04_rsa3072_deps_seccnt.bin'), '--key', key('rsa-3072.pub.pem'), '--json'], t.c)).toBe(EXIT.ok);
    expect(t.json()).toMatchObject({
      verdict: 'valid',
      category: null,
      version: '3.1.4+1592',
      hdrSize: 512,
      imgSize: 37888,
      hash: '3b5ca1f3af0bd2885abc2f51e9f2e75c4071cbb3eb61adcf2ae32333dccf5816',
      fileSha256: 'f072423d78510ab1ac92ed2e608cb0eb0481787d8fef5bde006d9640dab87b8a',
      signer: { name: 'rsa-3072' },
    });
  });

  it('exits 1 with the category for an invalid image, in text and JSON', async () => {
    const t = ctx();
    expect(await verifyCommand.run([img('t01_body_byte_flipped.bin'), '--key', key('ecdsa-p256.pub.pem')], t.c)).toBe(EXIT.failed);
    expect(t.out[0]).toMatch(/^INVALID \(hash-mismatch\)/);
    const j = ctx(undefined, true);
    expect(await verifyCommand.run([img('t07_bad_header_magic.bin'), '--key', key('rsa-2048.pub.pem')], j.c)).toBe(EXIT.failed);
    expect(j.json()).toMatchObject({ verdict: 'invalid', category: 'bad-magic' });
  });

  it('uses the key store (shipped + imported keys) when no --key is given', async () => {
    const data = path.join(tmp, 'with-keys');
    const t = ctx(data);
    expect(await verifyCommand.run([img('s01_ed25519_basic.bin')], t.c)).toBe(EXIT.failed);
    expect(t.out[0]).toMatch(/unknown-key/);
    await keyStoreFor(data).importKey(readFileSync(key('ed25519.pub.pem')), { name: 'vec', role: 'image' });
    expect(await verifyCommand.run([img('s01_ed25519_basic.bin')], ctx(data).c)).toBe(EXIT.ok);
  });

  it('is a usage error without an image or with an unreadable or private --key; exit 3 for a missing image', async () => {
    await expect(verifyCommand.run([], ctx().c)).rejects.toBeInstanceOf(UsageError);
    await expect(verifyCommand.run([img('s01_ed25519_basic.bin'), '--bogus'], ctx().c)).rejects.toBeInstanceOf(UsageError);
    await expect(verifyCommand.run([img('s01_ed25519_basic.bin'), '--key', path.join(tmp, 'none.pem')], ctx().c)).rejects.toBeInstanceOf(UsageError);
    const priv = path.join(tmp, 'priv.pem');
    writeFileSync(priv, ed25519Pair().priv.export({ type: 'pkcs8', format: 'pem' }));
    await expect(verifyCommand.run([img('s01_ed25519_basic.bin'), '--key', priv], ctx().c)).rejects.toThrow(/private key/);
    const t = ctx();
    expect(await verifyCommand.run([path.join(tmp, 'missing.bin')], t.c)).toBe(EXIT.unreachable);
    expect(t.err.join()).toMatch(/does not exist/);
  });
});

describe('siteflash inspect', () => {
  it('lists header, TLVs and trailer of a padded image', async () => {
    const t = ctx();
    expect(await inspectCommand.run([img('s06_ed25519_pad_confirm.bin')], t.c)).toBe(EXIT.ok);
    const text = t.out.join('\n');
    expect(text).toMatch(/version 1\.1\.0\+0/);
    expect(text).toMatch(/0x0024 ED25519\s+64/);
    expect(text).toMatch(/trailer\s+92528 bytes after the image, magic good/);
    expect(text).toMatch(/image_ok 0x1/);
  });
  it('prints JSON with the custom TLVs, and exits 1 for a file that does not parse', async () => {
    const t = ctx(undefined, true);
    expect(await inspectCommand.run([img('s05_ed25519_custom_tlvs_200k.bin')], t.c)).toBe(EXIT.ok);
    expect(t.json()).toMatchObject({ ok: true, image: { customTlvs: { '0x00a0': 'deadbeef' } }, tlvs: expect.arrayContaining([expect.objectContaining({ area: 'protected', type: '0x01a5' })]) });
    expect(await inspectCommand.run([img('t08_truncated_header.bin')], ctx().c)).toBe(EXIT.failed);
  });
});

describe('siteflash bundle', () => {
  const [importCmd, verifyCmd, listCmd] = bundleCommands as [typeof bundleCommands[0], typeof bundleCommands[0], typeof bundleCommands[0]];

  it('imports a bundle signed with keys the data folder trusts, lists it and re-verifies it', async () => {
    const data = path.join(tmp, 'bundle-data');
    const keys = testSigningKeys(data);
    const image = buildImage({ body: seededBody('cli', 3000), version: '3.0.0', signingKey: keys.image });
    const b = buildBundle({ id: 'cli-demo', systemVersion: 's1', created: '2026-02-02T00:00:00Z', releaseKey: keys.release, components: [{ board: 'b', hwRevisions: ['1'], name: 'a.bin', image }] });
    const src = path.join(tmp, 'cli-bundle');
    await writeBundleFolder(src, b);
    const t = ctx(data);
    expect(await importCmd.run([src], t.c)).toBe(EXIT.ok);
    expect(t.out[0]).toMatch(/^OK\s+cli-demo/);
    const l = ctx(data, true);
    expect(await listCmd.run([], l.c)).toBe(EXIT.ok);
    expect(JSON.parse(l.out.join('\n'))).toMatchObject([{ id: 'cli-demo', systemVersion: 's1' }]);
    expect(await verifyCmd.run(['cli-demo', '--json'], ctx(data).c)).toBe(EXIT.ok);
    expect(await verifyCmd.run(['other'], ctx(data).c)).toBe(EXIT.unreachable);
    await expect(importCmd.run([], ctx(data).c)).rejects.toBeInstanceOf(UsageError);
  });

  it('exits 1 with the reason when a bundle is refused', async () => {
    const src = path.join(tmp, 'unsigned');
    mkdirSync(src);
    writeFileSync(path.join(src, 'manifest.json'), '{}');
    const t = ctx(path.join(tmp, 'refused-data'), true);
    expect(await importCmd.run([src], t.c)).toBe(EXIT.failed);
    expect(t.json()).toMatchObject({ ok: false, reason: 'manifest-signature' });
  });
});
