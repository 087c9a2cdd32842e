/**
 * One pass over an image's bytes (mcuboot-image.md §4.1): the SHA-256 of the whole file (SMP
 * upload's `sha`) and the image hash over `[0, hdr_size + img_size + protect_tlv_size)`, plus any
 * signature verifiers that must see that same region. With a SHA-256 image hash the region digest
 * is a copy of the file hash's state at the region's end, so the bytes are hashed only once.
 */
import { createHash, type Hash } from 'node:crypto';
import type { HashAlg } from './types';

/** Something fed with the hashed region's bytes (an ECDSA verifier, a pure-message buffer). */
export interface RegionSink {
  update(bytes: Uint8Array): void;
}

/** What the pass produced. */
export interface HashResult {
  fileSha256: Buffer;
  /** Null when the region was not asked for or the file ended before it. */
  regionDigest: Buffer | null;
  bytes: number;
}

/** Feeds chunks in file order; {@link finish} once the file is read. */
export class ImageHasher {
  private readonly file = createHash('sha256');
  private readonly region: Hash | null;
  private digest: Buffer | null = null;
  private pos = 0;

  /** `region`: size and algorithm of the image hash, or null to compute only the file SHA-256. */
  constructor(
    private readonly regionSpec: { size: number; alg: HashAlg } | null,
    private readonly sinks: RegionSink[] = [],
  ) {
    this.region = regionSpec && regionSpec.alg !== 'sha256' ? createHash(regionSpec.alg) : null;
  }

  update(chunk: Uint8Array): void {
    const start = this.pos;
    this.pos += chunk.length;
    const end = this.regionSpec?.size ?? 0;
    if (!this.regionSpec || start >= end) {
      this.file.update(chunk);
      return;
    }
    const inRegion = this.pos <= end ? chunk : chunk.subarray(0, end - start);
    this.file.update(inRegion);
    this.region?.update(inRegion);
    for (const s of this.sinks) s.update(inRegion);
    if (this.pos >= end) {
      this.digest = this.region ? this.region.digest() : this.file.copy().digest();
      if (inRegion.length < chunk.length) this.file.update(chunk.subarray(inRegion.length));
    }
  }

  finish(): HashResult {
    return { fileSha256: this.file.digest(), regionDigest: this.digest, bytes: this.pos };
  }
}

/** A sink that keeps the region in one preallocated buffer (pure Ed25519 signs the region itself). */
export class RegionBuffer implements RegionSink {
  readonly bytes: Uint8Array;
  private filled = 0;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
  }
  update(chunk: Uint8Array): void {
    const n = Math.min(chunk.length, this.bytes.length - this.filled);
    this.bytes.set(chunk.subarray(0, n), this.filled);
    this.filled += n;
  }
}
