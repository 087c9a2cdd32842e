import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { readBundleDownload, writeBundleDownload, type BundleDownloadRow } from '../store/bundle-downloads';
import type { Db } from '../store/db-type';
import { cloudRequest, type CloudEndpoint } from './http';
import { SyncError } from './sync-error';

/** Checks a downloaded release bundle (signatures, manifest); written in main/image/. */
export type VerifyBundle = (path: string) => Promise<{ ok: true } | { ok: false; reason: string }>;

/** The bundle to fetch, as the catalog describes it. */
export interface BundleRef {
  id: string;
  size: number;
  /** Lower-case hex SHA-256 of the whole bundle. */
  sha256: string;
}

/** What a download needs. */
export interface DownloadDeps {
  db: Db;
  endpoint: CloudEndpoint;
  /** Folder of bundles: `<id>.part` while downloading, `<id>.bundle` once verified. */
  bundleDir: string;
  verifyBundle: VerifyBundle;
  now: () => number;
  /** Whole-transfer timeout, ms. */
  timeoutMs: number;
  onProgress?: (received: number, total: number) => void;
  signal?: AbortSignal;
}

/** Path of a bundle once downloaded and verified. */
export const bundlePath = (dir: string, id: string): string => join(dir, `${id}.bundle`);

/**
 * Downloads a release bundle into `<id>.part`, resuming from the partial file's size with
 * `Range` + `If-Range: <etag>` when an earlier attempt was cut. Then checks the SHA-256 from the
 * catalog, hands the file to `verifyBundle`, and only if both pass moves it to `<id>.bundle`.
 * A cut transfer throws `offline` and leaves the partial file for the next call.
 */
export async function downloadBundle(deps: DownloadDeps, ref: BundleRef): Promise<string> {
  await mkdir(deps.bundleDir, { recursive: true });
  const finalPath = bundlePath(deps.bundleDir, ref.id);
  const prev = readBundleDownload(deps.db, ref.id);
  if (prev?.state === 'complete' && prev.sha256 === ref.sha256 && (await sizeOf(finalPath)) === ref.size) return finalPath;

  const partialPath = join(deps.bundleDir, `${ref.id}.part`);
  const sameBundle = prev !== null && prev.sha256 === ref.sha256 && prev.etag !== null;
  let offset = sameBundle ? ((await sizeOf(partialPath)) ?? 0) : 0;
  if (!sameBundle || offset > ref.size) {
    await rm(partialPath, { force: true });
    offset = 0;
  }
  const row: BundleDownloadRow = {
    bundleId: ref.id,
    partialPath,
    sha256: ref.sha256,
    totalSize: ref.size,
    etag: sameBundle ? prev.etag : null,
    received: offset,
    state: 'partial',
    error: null,
    updatedAt: deps.now(),
  };

  if (offset < ref.size) {
    const headers: Record<string, string> = { accept: 'application/octet-stream' };
    if (offset > 0 && row.etag) {
      headers.range = `bytes=${offset}-`;
      headers['if-range'] = row.etag;
    }
    const res = await cloudRequest(deps.endpoint, `/v1/bundles/${encodeURIComponent(ref.id)}`, {
      headers,
      timeoutMs: deps.timeoutMs,
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
    if (res.status === 200) {
      // The server sent the whole bundle (first try, or the bytes changed since): start over.
      offset = 0;
      await truncate(partialPath).catch(() => undefined);
    } else if (res.status === 206) {
      const start = /^bytes (\d+)-\d+\/\d+$/.exec(res.headers.get('content-range') ?? '')?.[1];
      if (Number(start) !== offset) {
        await res.body?.cancel();
        throw new SyncError('bad-response', `The cloud resumed bundle ${ref.id} at the wrong place.`);
      }
    } else if (res.status !== 416) {
      await res.body?.cancel();
      throw new SyncError('bad-response', `Unexpected HTTP ${res.status} while downloading bundle ${ref.id}.`);
    }
    if (res.status !== 416) {
      row.etag = res.headers.get('etag');
      writeBundleDownload(deps.db, { ...row, received: offset, updatedAt: deps.now() });
      await receive(res, partialPath, offset, ref, deps).finally(async () => {
        row.received = (await sizeOf(partialPath)) ?? 0;
        row.updatedAt = deps.now();
        writeBundleDownload(deps.db, row);
      });
    }
  }
  return finish(deps, ref, row, finalPath);
}

async function receive(res: Response, path: string, offset: number, ref: BundleRef, deps: DownloadDeps): Promise<void> {
  if (!res.body) throw new SyncError('bad-response', `The cloud sent no bytes for bundle ${ref.id}.`);
  let received = offset;
  const progress = new TransformCounter((n) => {
    received += n;
    deps.onProgress?.(received, ref.size);
  });
  try {
    await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), progress, createWriteStream(path, { flags: offset > 0 ? 'a' : 'w' }));
  } catch (err) {
    if (deps.signal?.aborted) throw deps.signal.reason;
    throw new SyncError('offline', `The download of bundle ${ref.id} was cut at ${Math.floor((100 * received) / ref.size)} %; it resumes from there.`, {
      cause: err instanceof Error ? err.message : String(err),
    });
  }
}

async function finish(deps: DownloadDeps, ref: BundleRef, row: BundleDownloadRow, finalPath: string): Promise<string> {
  const fail = async (kind: 'bundle-corrupt' | 'bundle-rejected', message: string): Promise<never> => {
    await rm(row.partialPath, { force: true });
    writeBundleDownload(deps.db, { ...row, received: 0, etag: null, state: 'failed', error: message, updatedAt: deps.now() });
    throw new SyncError(kind, message);
  };
  const size = (await sizeOf(row.partialPath)) ?? 0;
  if (size !== ref.size) return fail('bundle-corrupt', `Bundle ${ref.id} has ${size} bytes, the catalog says ${ref.size}. It will be downloaded again.`);
  const digest = await sha256File(row.partialPath);
  if (digest !== ref.sha256) return fail('bundle-corrupt', `Bundle ${ref.id} arrived damaged (SHA-256 mismatch). It will be downloaded again.`);
  const verdict = await deps.verifyBundle(row.partialPath);
  if (!verdict.ok) return fail('bundle-rejected', `Bundle ${ref.id} failed verification: ${verdict.reason}`);
  await rename(row.partialPath, finalPath);
  writeBundleDownload(deps.db, { ...row, received: size, state: 'complete', error: null, updatedAt: deps.now() });
  return finalPath;
}

/** Lower-case hex SHA-256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function sizeOf(path: string): Promise<number | null> {
  return stat(path).then(
    (s) => s.size,
    () => null,
  );
}

/** Passes bytes through, counting them. */
class TransformCounter extends Transform {
  constructor(private readonly onBytes: (n: number) => void) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null, data?: Buffer) => void): void {
    this.onBytes(chunk.length);
    cb(null, chunk);
  }
}
