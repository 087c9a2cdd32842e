/**
 * `siteflash verify IMAGE [--key PEM]... [--json]`: verifies an MCUboot image offline.
 * Exit 0 valid, 1 invalid, 2 usage error, 3 file unreadable.
 */
import { basename } from 'node:path';
import { keyStoreFor } from '../../image/key-store';
import { PEM_MAX_BYTES, readRegularFile } from '../../image/regular-file';
import { trustedKeyFromPem, type TrustedKey } from '../../image/trusted-key';
import type { Verdict } from '../../image/types';
import { verifyImageFile } from '../../image/verify-file';
import { EXIT, parseOptions, UsageError, type CliContext, type Command } from '../command';
import { reportFileError } from '../file-error';

/** The JSON document `verify --json` prints. */
export function verdictJson(file: string, v: Verdict) {
  return {
    file,
    verdict: v.valid ? 'valid' : 'invalid',
    category: v.valid ? null : v.category,
    message: v.valid ? 'The image is valid and signed by a trusted key.' : v.message,
    version: v.image?.version ?? null,
    fileSize: v.fileSize,
    hdrSize: v.image?.hdrSize ?? null,
    imgSize: v.image?.imgSize ?? null,
    protectTlvSize: v.image?.protectTlvSize ?? null,
    hashAlg: v.image?.hashAlg ?? null,
    hash: v.image?.hash ?? null,
    fileSha256: v.fileSha256 ?? null,
    signer: v.valid ? v.signer : null,
    image: v.image ?? null,
    notes: v.notes,
  };
}

/** Reads `--key` PEM files as trusted image keys; a bad one is a usage error. */
async function keysFromFiles(paths: string[]): Promise<TrustedKey[]> {
  const keys: TrustedKey[] = [];
  for (const p of paths) {
    const pem = await readRegularFile(p, PEM_MAX_BYTES, (why) => new UsageError(`Cannot read the key file ${p}: ${why}.`));
    try {
      keys.push(trustedKeyFromPem(pem, { name: basename(p).replace(/(\.pub)?\.pem$/, ''), role: 'image', source: 'given' }));
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
  }
  return keys;
}

async function run(argv: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseOptions(argv, { key: { type: 'string', multiple: true }, json: { type: 'boolean' } });
  if (positionals.length !== 1) throw new UsageError('verify takes exactly one IMAGE file.');
  const file = positionals[0] as string;
  const json = ctx.json || values.json === true;
  const keys = values.key?.length ? await keysFromFiles(values.key) : await keyStoreFor(ctx.dataDir).keys('image');
  let v: Verdict;
  try {
    v = await verifyImageFile(file, keys, { signal: ctx.signal });
  } catch (err) {
    return reportFileError(err, file, json, ctx);
  }
  if (json) {
    ctx.out(JSON.stringify(verdictJson(file, v), null, 2));
  } else if (v.valid) {
    const i = v.image;
    ctx.out(`VALID  ${file}`);
    ctx.out(`  version     ${i.version}`);
    ctx.out(`  sizes       header ${i.hdrSize}, body ${i.imgSize}, protected TLVs ${i.protectTlvSize}, file ${v.fileSize} bytes`);
    ctx.out(`  hash        ${i.hashAlg} ${i.hash}`);
    ctx.out(`  file sha256 ${v.fileSha256}`);
    ctx.out(`  signed by   ${v.signer.name} (${v.signer.type}, ${v.signer.fingerprint.slice(0, 16)}…)`);
    if (i.securityCounter !== null) ctx.out(`  security counter ${i.securityCounter}`);
    for (const n of v.notes) ctx.out(`  note: ${n}`);
  } else {
    ctx.out(`INVALID (${v.category})  ${file}`);
    ctx.out(`  ${v.message}`);
    if (v.image) ctx.out(`  version ${v.image.version}, hash ${v.image.hashAlg} ${v.image.hash}`);
    if (v.fileSha256) ctx.out(`  file sha256 ${v.fileSha256}`);
  }
  return v.valid ? EXIT.ok : EXIT.failed;
}

/** The `verify` command. */
export const verifyCommand: Command = {
  name: 'verify',
  summary: 'Verify a signed MCUboot image offline (hash, signature, trusted key)',
  usage: 'verify IMAGE [--key PEM]... [--json]',
  run,
};
