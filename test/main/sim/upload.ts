import { createHash } from 'node:crypto';
import { maxChunkData } from '../../../main/smp/chunk-budget';
import type { SmpBody } from '../../../main/smp/cbor';
import type { harness } from './harness';

export const sha256 = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest());

/** Uploads `image` as a client following smp.md §5.3 would; returns every answer body. */
export function upload(h: ReturnType<typeof harness>, image: Uint8Array, opts: { stopAt?: number; version?: number } = {}): SmpBody[] {
  const sha = sha256(image);
  const answers: SmpBody[] = [];
  let off = 0;
  for (let guard = 0; guard < 10_000; guard++) {
    const n = maxChunkData({ bufSize: h.device.bufSize, transport: 'raw', imageLength: image.length, offset: off, firstChunk: { image: 0 } });
    const data = image.subarray(off, off + n);
    const body = off === 0 ? { image: 0, len: image.length, off, sha, data } : { off, data };
    const answer = h.body({ op: 2, group: 1, id: 1, body, version: opts.version ?? 1 });
    answers.push(answer);
    if (typeof answer.off !== 'number') return answers;
    off = answer.off;
    if (off >= image.length || (opts.stopAt !== undefined && off >= opts.stopAt)) return answers;
  }
  throw new Error('upload did not finish');
}
