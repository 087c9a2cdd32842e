import { resolve } from 'node:path';
import { SiteflashError } from '../errors';
import { boardOf } from '../image/board-tag';
import type { TrustedKey } from '../image/trusted-key';
import { verifyImageFile } from '../image/verify-file';
import type { JobRelease } from '../jobs/types';

/**
 * The release of a job that sends one image file: verified offline with the trusted image keys
 * first (a refused image starts no job and says why), then one component tagged with the image's
 * board, version, hashes and security counter, read from the file in chunks by the engine.
 */
export async function imageRelease(path: string, keys: readonly TrustedKey[], signal?: AbortSignal): Promise<JobRelease> {
  const verdict = await verifyImageFile(path, keys, signal ? { signal } : {});
  if (!verdict.valid) throw new SiteflashError(`image-${verdict.category}`, `${path} was not sent: ${verdict.message}`, true);
  return {
    kind: 'image',
    name: path,
    components: [
      {
        board: boardOf(verdict.image),
        version: verdict.image.version,
        path: resolve(path),
        size: verdict.fileSize,
        sha256: verdict.fileSha256,
        imageHash: verdict.image.hash,
        ...(verdict.image.securityCounter === null ? {} : { securityCounter: verdict.image.securityCounter }),
      },
    ],
  };
}
