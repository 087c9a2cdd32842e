import { keyStoreFor } from '../image/key-store';
import type { ValidVerdict } from '../image/types';
import { verifyImageFile } from '../image/verify-file';
import type { CliContext } from './command';

/**
 * Verifies an image file offline against the trusted image keys of `ctx.dataDir`, before a
 * command sends it anywhere (`upload`, `update`, `gateway stage|batch`). Resolves to the valid
 * verdict; an invalid image rejects with kind `image-<category>` and says it was not sent.
 */
export async function verifyWithKeyStore(path: string, ctx: CliContext): Promise<ValidVerdict> {
  const keys = await keyStoreFor(ctx.dataDir).keys('image');
  const verdict = await verifyImageFile(path, keys, { signal: ctx.signal });
  if (!verdict.valid) throw Object.assign(new Error(`${path} was not sent: ${verdict.message}`), { kind: `image-${verdict.category}` });
  return verdict;
}
