import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readBundleDownload } from '../../../main/store/bundle-downloads';
import { SyncError } from '../../../main/sync/sync-error';
import { seededRng } from './fakes';
import { makeHarness, type Harness } from './harness';
import { openApiChecker } from './openapi-validator';
import { sha256 } from './server';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

function bundleBytes(size: number, seed: number): Uint8Array {
  const rng = seededRng(seed);
  return Uint8Array.from({ length: size }, () => Math.floor(rng() * 256));
}

const SIZE = 1 << 20;

describe('downloading a release bundle', () => {
  it('resumes a transfer cut at 50 % with Range from the partial file and ends with the right SHA-256', async () => {
    const bytes = bundleBytes(SIZE, 3);
    h = await makeHarness({ bundles: new Map([['b-2-0-0', bytes]]) });
    const ref = { id: 'b-2-0-0', size: SIZE, sha256: sha256(bytes) };
    h.cloud.cutNextBundleAt = SIZE / 2;

    const cut = await h.connector.downloadBundle(ref).catch((e: unknown) => e);
    expect(cut).toBeInstanceOf(SyncError);
    expect((cut as SyncError).kind).toBe('offline');
    const partial = join(h.dir, 'bundles', 'b-2-0-0.part');
    const have = statSync(partial).size;
    expect(have).toBeGreaterThan(0);
    expect(have).toBeLessThanOrEqual(SIZE / 2);
    expect(readBundleDownload(h.db, ref.id)).toMatchObject({ state: 'partial', received: have, etag: expect.stringMatching(/^".+"$/) });
    expect(h.verified).toEqual([]);

    const progress: number[] = [];
    const path = await h.connector.downloadBundle(ref, { onProgress: (r) => progress.push(r) });
    expect(h.cloud.rangeRequests).toEqual([undefined, `bytes=${have}-`]);
    expect(progress[0]).toBeGreaterThan(have);
    expect(progress.at(-1)).toBe(SIZE);
    expect(sha256(readFileSync(path))).toBe(ref.sha256);
    expect(path).toBe(join(h.dir, 'bundles', 'b-2-0-0.bundle'));
    expect(existsSync(partial)).toBe(false);
    expect(h.verified).toEqual([partial]);
    expect(readBundleDownload(h.db, ref.id)).toMatchObject({ state: 'complete', received: SIZE });
    const checker = openApiChecker();
    expect(h.cloud.exchanges.flatMap((ex) => checker.check(ex))).toEqual([]);

    // Already there: no second transfer.
    await h.connector.downloadBundle(ref);
    expect(h.cloud.rangeRequests).toHaveLength(2);
  });

  it('starts over when the server no longer has the bytes the partial file came from', async () => {
    const old = bundleBytes(4096, 5);
    const now = bundleBytes(4096, 6);
    const bundles = new Map([['b-x', old]]);
    h = await makeHarness({ bundles });
    h.cloud.cutNextBundleAt = 1000;
    await h.connector.downloadBundle({ id: 'b-x', size: 4096, sha256: sha256(now) }).catch(() => undefined);
    bundles.set('b-x', now); // republished: new ETag, If-Range no longer matches
    const path = await h.connector.downloadBundle({ id: 'b-x', size: 4096, sha256: sha256(now) });
    expect(h.cloud.rangeRequests[1]).toMatch(/^bytes=\d+-$/);
    expect(h.cloud.exchanges.filter((e) => e.route === '/v1/bundles/{bundleId}').map((e) => e.status)).toEqual([200, 200]);
    expect(sha256(readFileSync(path))).toBe(sha256(now));
  });

  it('throws away a bundle whose SHA-256 does not match the catalog and never verifies it', async () => {
    const bytes = bundleBytes(2048, 7);
    h = await makeHarness({ bundles: new Map([['b-bad', bytes]]) });
    const err = await h.connector.downloadBundle({ id: 'b-bad', size: 2048, sha256: 'ab'.repeat(32) }).catch((e: unknown) => e);
    expect((err as SyncError).kind).toBe('bundle-corrupt');
    expect(h.verified).toEqual([]);
    expect(existsSync(join(h.dir, 'bundles', 'b-bad.part'))).toBe(false);
    expect(readBundleDownload(h.db, 'b-bad')?.state).toBe('failed');
  });

  it('keeps a bundle the verifier rejects out of the cache and says why', async () => {
    const bytes = bundleBytes(2048, 8);
    h = await makeHarness({
      bundles: new Map([['b-unsigned', bytes]]),
      verifyBundle: async () => ({ ok: false, reason: 'signature does not match any trusted key' }),
    });
    const err = await h.connector.downloadBundle({ id: 'b-unsigned', size: 2048, sha256: sha256(bytes) }).catch((e: unknown) => e);
    expect((err as SyncError).kind).toBe('bundle-rejected');
    expect((err as SyncError).message).toMatch(/signature does not match any trusted key/);
    expect(existsSync(join(h.dir, 'bundles', 'b-unsigned.bundle'))).toBe(false);
    expect(h.connector.status.lastErrorKind).toBe('bundle-rejected');
  });
});
