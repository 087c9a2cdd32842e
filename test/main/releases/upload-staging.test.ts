import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../../main/core';
import { writeDemoBundle } from '../../../main/demo/demo-bundle';
import { UPLOAD_CHUNK_BYTES } from '../../../main/releases/upload-staging';
import { testSigningKeys } from '../image/signing-keys';

let core: Core;
let dataDir: string;
let tar: Buffer;
let keys: ReturnType<typeof testSigningKeys>;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'siteflash-upload-'));
  // Signed with keys made for this test and trusted in its data folder (no private key ships).
  keys = testSigningKeys(dataDir);
  core = new Core({ dataDir, host: 'browser', logToFile: false, portLister: async () => [] }).start();
  const dir = mkdtempSync(join(tmpdir(), 'siteflash-upload-bundle-'));
  await writeDemoBundle(join(dir, 'b'), keys);
  execFileSync('tar', ['-cf', join(dir, 'b.tar'), '-C', join(dir, 'b'), '.']);
  tar = readFileSync(join(dir, 'b.tar'));
});
afterAll(() => core.close());

const staging = () => join(dataDir, 'staging');

async function begin(size: number, fileName = 'release.tar'): Promise<string> {
  const r = await core.invoke('upload:begin', { fileName, size });
  if (!r.ok) throw new Error(r.error.message);
  expect(r.value.chunkBytes).toBe(UPLOAD_CHUNK_BYTES);
  return r.value.uploadId;
}

/** Sends `bytes` in chunks of `chunk` bytes (the renderer's way). */
async function sendAll(uploadId: string, bytes: Buffer, chunk = UPLOAD_CHUNK_BYTES): Promise<void> {
  for (let off = 0, seq = 0; off < bytes.length; off += chunk, seq++) {
    const r = await core.invoke('upload:chunk', { uploadId, seq, data: (bytes.subarray(off, off + chunk)) });
    expect(r).toEqual({ ok: true, value: { received: Math.min(off + chunk, bytes.length) } });
  }
}

describe('uploads staged under the data folder', () => {
  it('imports a release sent in chunks through the same path as a file on disk, then deletes the staged file', async () => {
    const id = await begin(tar.length);
    const file = join(staging(), `${id}.part`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(staging()).mode & 0o777).toBe(0o700);
    await sendAll(id, tar, 4096);
    const imported = await core.invoke('releases:import-upload', { uploadId: id });
    expect(imported).toMatchObject({ ok: true, value: { demo: false, verification: { state: 'verified' } } });
    expect(readdirSync(staging())).toEqual([]);
    // The id is spent.
    expect(await core.invoke('releases:import-upload', { uploadId: id })).toMatchObject({ ok: false, error: { kind: 'upload-unknown' } });
  });

  it('refuses chunks out of order, and an import before every byte arrived', async () => {
    const id = await begin(tar.length);
    expect(await core.invoke('upload:chunk', { uploadId: id, seq: 1, data: (tar.subarray(0, 10)) })).toMatchObject({ ok: false, error: { kind: 'upload-out-of-order' } });
    expect(await core.invoke('upload:chunk', { uploadId: id, seq: 0, data: (tar.subarray(0, 10)) })).toEqual({ ok: true, value: { received: 10 } });
    expect(await core.invoke('upload:chunk', { uploadId: id, seq: 0, data: (tar.subarray(0, 10)) })).toMatchObject({ ok: false, error: { kind: 'upload-out-of-order' } });
    expect(await core.invoke('releases:import-upload', { uploadId: id })).toMatchObject({ ok: false, error: { kind: 'upload-incomplete' } });
    expect(await core.invoke('upload:abort', { uploadId: id })).toEqual({ ok: true, value: null });
    expect(readdirSync(staging())).toEqual([]);
  });

  it('drops an upload that sends more than it announced', async () => {
    const id = await begin(5);
    expect(await core.invoke('upload:chunk', { uploadId: id, seq: 0, data: (Buffer.alloc(6)) })).toMatchObject({ ok: false, error: { kind: 'upload-too-long' } });
    expect(readdirSync(staging())).toEqual([]);
  });

  it('refuses a file over 512 MiB before any byte, and a chunk over the chunk size', async () => {
    expect(await core.invoke('upload:begin', { fileName: 'huge.tar', size: 512 * 1024 * 1024 + 1 })).toMatchObject({ ok: false });
    const id = await begin(UPLOAD_CHUNK_BYTES + 1);
    expect(await core.invoke('upload:chunk', { uploadId: id, seq: 0, data: (Buffer.alloc(UPLOAD_CHUNK_BYTES + 1)) })).toMatchObject({ ok: false, error: { kind: 'upload-bad-chunk' } });
    await core.invoke('upload:abort', { uploadId: id });
  });

  it('refuses a fifth upload while four are open', async () => {
    const ids = await Promise.all([1, 2, 3, 4].map(() => begin(10)));
    expect(await core.invoke('upload:begin', { fileName: 'x.tar', size: 10 })).toMatchObject({ ok: false, error: { kind: 'too-many-uploads' } });
    for (const uploadId of ids) await core.invoke('upload:abort', { uploadId });
    expect(readdirSync(staging())).toEqual([]);
  });

  it('checks an image sent in chunks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'siteflash-upload-image-'));
    await writeDemoBundle(dir, keys);
    const name = readdirSync(join(dir, 'images'))[0]!;
    const image = readFileSync(join(dir, 'images', name));
    const id = await begin(image.length, name);
    await sendAll(id, image, 1000);
    expect(await core.invoke('image:check-upload', { uploadId: id })).toMatchObject({ ok: true, value: { valid: true, fileName: name, size: image.length } });
  });
});
