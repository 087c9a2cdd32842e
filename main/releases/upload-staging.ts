import { randomBytes } from 'node:crypto';
import { mkdir, open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { SiteflashError } from '../errors';
import type { Logger } from '../log/logger';

/** Bytes of one upload chunk; with its request it stays under the browser host's 2 MiB message limit. */
export const UPLOAD_CHUNK_BYTES = 1 << 20;

export interface UploadStagingOptions {
  /** Largest file, bytes. */
  maxBytes: number;
  /** Uploads open at once; a new one beyond it is refused. */
  maxOpen?: number;
  /** An upload untouched for this long is dropped with its file (ms). */
  idleMs?: number;
  now?: () => number;
}

interface Upload {
  id: string;
  fileName: string;
  size: number;
  path: string;
  fh: FileHandle;
  received: number;
  nextSeq: number;
  touched: number;
  busy: boolean;
}

/**
 * Files the renderer sends in numbered chunks, each acknowledged before the next, written to a
 * staging file under the data folder (folder 0700, files 0600). Memory stays at one chunk per
 * upload whatever the file's size; the finished file is then handed to the same import path as a
 * file on disk (the CLI's `bundle import`), and deleted afterwards.
 */
export class UploadStaging {
  private readonly uploads = new Map<string, Upload>();
  private readonly maxOpen: number;
  private readonly idleMs: number;
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout;
  private ready: Promise<void> = Promise.resolve();

  constructor(
    readonly dir: string,
    private readonly log: Logger,
    private readonly options: UploadStagingOptions,
  ) {
    this.maxOpen = options.maxOpen ?? 4;
    this.idleMs = options.idleMs ?? 10 * 60_000;
    this.now = options.now ?? Date.now;
    this.sweeper = setInterval(() => void this.dropIdle(), Math.min(this.idleMs, 60_000));
    this.sweeper.unref();
  }

  /** Starts an upload of `size` bytes. */
  async begin(fileName: string, size: number): Promise<{ uploadId: string; chunkBytes: number }> {
    if (size > this.options.maxBytes) throw new SiteflashError('file-too-large', `${fileName} is ${mib(size)}; the largest file siteflash takes is ${mib(this.options.maxBytes)}.`);
    await this.ready;
    await this.dropIdle();
    if (this.uploads.size >= this.maxOpen) throw new SiteflashError('too-many-uploads', `${this.maxOpen} files are being received already; wait for them to finish.`);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const id = randomBytes(16).toString('hex');
    const path = join(this.dir, `${id}.part`);
    const fh = await open(path, 'wx', 0o600);
    this.uploads.set(id, { id, fileName, size, path, fh, received: 0, nextSeq: 0, touched: this.now(), busy: false });
    this.log.info(`receiving ${fileName} (${size} bytes) as upload ${id}`);
    return { uploadId: id, chunkBytes: UPLOAD_CHUNK_BYTES };
  }

  /** Writes chunk `seq` (0, 1, 2, … in order) and acknowledges it with the bytes received so far. */
  async write(uploadId: string, seq: number, data: Uint8Array): Promise<{ received: number }> {
    const u = this.get(uploadId);
    if (u.busy) throw new SiteflashError('upload-out-of-order', `Chunk ${seq} arrived before chunk ${u.nextSeq - 1} was written: send one chunk at a time.`, false);
    if (seq !== u.nextSeq) throw new SiteflashError('upload-out-of-order', `Expected chunk ${u.nextSeq} of ${u.fileName}, got ${seq}.`, false);
    if (data.length === 0 || data.length > UPLOAD_CHUNK_BYTES) throw new SiteflashError('upload-bad-chunk', `A chunk holds 1 to ${UPLOAD_CHUNK_BYTES} bytes; chunk ${seq} has ${data.length}.`, false);
    if (u.received + data.length > u.size) {
      await this.abort(uploadId);
      throw new SiteflashError('upload-too-long', `${u.fileName} is longer than the ${u.size} bytes announced; the upload was dropped.`, false);
    }
    u.busy = true;
    try {
      let written = 0;
      while (written < data.length) written += (await u.fh.write(data, written, data.length - written, u.received + written)).bytesWritten;
    } catch (err) {
      await this.abort(uploadId);
      throw new SiteflashError('upload-write-failed', `Could not store ${u.fileName} in ${this.dir}: ${err instanceof Error ? err.message : String(err)}. Free some space, then import it again.`);
    } finally {
      u.busy = false;
    }
    u.received += data.length;
    u.nextSeq++;
    u.touched = this.now();
    return { received: u.received };
  }

  /**
   * Closes a complete upload and runs `use` on its file, then deletes the file (whatever `use`
   * did). Refused while bytes are missing.
   */
  async finish<T>(uploadId: string, use: (path: string, fileName: string) => Promise<T>): Promise<T> {
    const u = this.get(uploadId);
    if (u.busy) throw new SiteflashError('upload-out-of-order', `${u.fileName} is still being written.`, false);
    if (u.received !== u.size) throw new SiteflashError('upload-incomplete', `${u.fileName}: ${u.received} of ${u.size} bytes received; send the rest first.`, false);
    this.uploads.delete(uploadId);
    try {
      await u.fh.close();
      return await use(u.path, u.fileName);
    } finally {
      await rm(u.path, { force: true });
    }
  }

  /** Drops an upload and its file; unknown ids are ignored. */
  async abort(uploadId: string): Promise<void> {
    const u = this.uploads.get(uploadId);
    if (!u) return;
    this.uploads.delete(uploadId);
    await u.fh.close().catch(() => undefined);
    await rm(u.path, { force: true });
  }

  /** Removes leftovers of a previous run (call once at start, before any upload). */
  clearLeftovers(): Promise<void> {
    this.ready = rm(this.dir, { recursive: true, force: true }).catch((err: unknown) => this.log.warn(`could not clear ${this.dir}: ${String(err)}`));
    return this.ready;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.uploads.keys()].map((id) => this.abort(id)));
  }

  /** Uploads open now (for tests and diagnostics). */
  get open(): number {
    return this.uploads.size;
  }

  private get(uploadId: string): Upload {
    const u = this.uploads.get(uploadId);
    if (!u) throw new SiteflashError('upload-unknown', 'That upload is not open (it finished, was dropped after a long idle time, or siteflash restarted). Pick the file again.');
    return u;
  }

  private async dropIdle(): Promise<void> {
    const now = this.now();
    for (const u of [...this.uploads.values()]) {
      if (!u.busy && now - u.touched > this.idleMs) {
        this.log.warn(`dropped upload of ${u.fileName}: nothing received for ${Math.round(this.idleMs / 1000)} s`);
        await this.abort(u.id);
      }
    }
  }
}

const mib = (n: number) => `${(n / (1 << 20)).toFixed(1)} MiB`;
