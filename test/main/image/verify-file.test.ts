import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SiteflashError } from '../../../main/errors';
import { verifyImageBytes } from '../../../main/image/verify';
import { verifyImageFile } from '../../../main/image/verify-file';
import { ed25519Pair, smallImage } from './helpers';
import { VECTORS_DIR, vectorBytes, vectorKey } from './vectors';

const tmp = mkdtempSync(path.join(tmpdir(), 'sf-image-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('verifyImageFile', () => {
  const s04 = path.join(VECTORS_DIR, 'images/s04_rsa3072_deps_seccnt.bin');
  const rsa = vectorKey('keys/rsa-3072.pub.pem');

  it('gives the in-memory verdict whatever the chunk size, including chunks ending exactly at the hashed region', async () => {
    const expected = verifyImageBytes(vectorBytes('images/s04_rsa3072_deps_seccnt.bin'), [rsa]);
    expect(expected.valid).toBe(true);
    const hashed = 512 + 37888 + 28;
    for (const chunkSize of [1024, hashed, hashed - 1, hashed + 1, 65536]) {
      expect(await verifyImageFile(s04, [rsa], { chunkSize })).toEqual(expected);
    }
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 16, max: 50_000 }), async (chunkSize) => {
        expect(await verifyImageFile(s04, [rsa], { chunkSize })).toEqual(expected);
      }),
      { numRuns: 15 },
    );
  });

  it('gives the in-memory verdict for files cut at random offsets', async () => {
    const img = vectorBytes('images/s02_ecdsa_p256_seccnt_auto.bin');
    const key = vectorKey('keys/ecdsa-p256.pub.pem');
    await fc.assert(
      fc.asyncProperty(fc.nat(img.length), async (n) => {
        const file = path.join(tmp, `cut-${n}.bin`);
        writeFileSync(file, img.subarray(0, n));
        const v = await verifyImageFile(file, [key], { chunkSize: 8192 });
        expect(v).toEqual(verifyImageBytes(img.subarray(0, n), [key]));
        expect(v.valid).toBe(n === img.length);
      }),
      { numRuns: 25 },
    );
  });

  it('reports progress up to the file size and the file SHA-256 in the same pass', async () => {
    const seen: number[] = [];
    const v = await verifyImageFile(s04, [rsa], { chunkSize: 10_000, onProgress: (p) => seen.push(p.bytes / p.total) });
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.at(-1)).toBe(1);
    expect(seen.length).toBe(4);
    expect(v.fileSha256).toBe('f072423d78510ab1ac92ed2e608cb0eb0481787d8fef5bde006d9640dab87b8a');
  });

  it('stops with kind aborted when the signal fires', async () => {
    const ac = new AbortController();
    const run = verifyImageFile(s04, [rsa], { chunkSize: 1000, signal: ac.signal, onProgress: (p) => p.bytes > 5000 && ac.abort() });
    await expect(run).rejects.toMatchObject({ kind: 'aborted' });
  });

  it('rejects with image-unreadable for a missing file', async () => {
    const err = await verifyImageFile(path.join(tmp, 'nope.bin'), [rsa]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SiteflashError);
    expect(err).toMatchObject({ kind: 'image-unreadable', message: expect.stringContaining('does not exist') });
  });

  it('checks pure images from disk within maxPureBytes, and refuses larger ones honestly', async () => {
    const { priv, key } = ed25519Pair();
    const file = path.join(tmp, 'pure.bin');
    writeFileSync(file, smallImage(priv, { pure: true }));
    expect((await verifyImageFile(file, [key], { chunkSize: 100 })).valid).toBe(true);
    expect(await verifyImageFile(file, [key], { maxPureBytes: 100 })).toMatchObject({ valid: false, category: 'unsupported-algorithm' });
  });
});
