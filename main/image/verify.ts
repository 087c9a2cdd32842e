/**
 * The one place that decides whether an image is valid (mcuboot-image.md §6). Parsing and key
 * matching happen before the bytes are hashed ({@link prepareVerification}); the verdict is made
 * from the hash pass's result ({@link decideVerdict}). {@link verifyImageBytes} runs both over an
 * image held in memory; `verify-file.ts` streams a file through the same steps.
 */
import { createVerify, timingSafeEqual, type Verify } from 'node:crypto';
import { FLAGS_ENCRYPTED } from './format';
import { unknownFlags } from './header';
import { ImageHasher, RegionBuffer, type HashResult, type RegionSink } from './hasher';
import { parseImage, summarize, type ParsedImage } from './parse';
import { planSignatures, type SignatureCheck, type SignaturePlan } from './plan';
import { verifyEd25519, verifyRsaPssDigest } from './signature';
import type { TrustedKey } from './trusted-key';
import type { ParseResult, Verdict, VerifyCategory } from './types';

/** Default largest pure-Ed25519 region kept in memory (pure signatures cover the region itself). */
export const DEFAULT_MAX_PURE_BYTES = 16 * 1024 * 1024;

/** Options shared by the in-memory and streaming verifiers. */
export interface VerifyOptions {
  /** Largest pure-Ed25519 signed region siteflash will hold in memory; larger → unsupported-algorithm. */
  maxPureBytes?: number;
}

/** Everything known before hashing: the parse, the plan, and the sinks the hash pass must feed. */
export interface PreparedVerification {
  parsed: ParseResult<ParsedImage>;
  plan: SignaturePlan | null;
  /** A refusal decided before hashing (encrypted, pure image too large). */
  early: { category: VerifyCategory; message: string } | null;
  sinks: RegionSink[];
  ecdsa: Map<SignatureCheck, Verify>;
  pure: RegionBuffer | null;
  /** Region size and hash algorithm for {@link ImageHasher}; null when the image did not parse. */
  region: { size: number; alg: ParsedImage['facts']['hashAlg'] } | null;
}

/** Matches keys and sets up the verifiers the hash pass must feed. */
export function prepareVerification(parsed: ParseResult<ParsedImage>, keys: readonly TrustedKey[], opts: VerifyOptions = {}): PreparedVerification {
  const prep: PreparedVerification = { parsed, plan: null, early: null, sinks: [], ecdsa: new Map(), pure: null, region: null };
  if (parsed.status !== 'ok') return prep;
  const img = parsed.value;
  prep.region = { size: img.areas.hashedSize, alg: img.facts.hashAlg };
  if (img.header.flags & FLAGS_ENCRYPTED) {
    prep.early = { category: 'unsupported-algorithm', message: 'The image body is encrypted; its hash and signature cannot be checked offline without the device key.' };
    return prep;
  }
  prep.plan = planSignatures(img, keys);
  for (const c of prep.plan.checks) {
    if (c.method === 'ecdsa' && c.signature) {
      const v = createVerify(c.ecdsaHash === 'sha256' ? 'sha256' : 'sha384');
      prep.ecdsa.set(c, v);
      prep.sinks.push(v);
    } else if (c.method === 'ed25519-pure' && !prep.pure) {
      const max = opts.maxPureBytes ?? DEFAULT_MAX_PURE_BYTES;
      if (img.areas.hashedSize > max) {
        prep.early = {
          category: 'unsupported-algorithm',
          message: `The image uses a pure Ed25519 signature over ${img.areas.hashedSize} bytes; siteflash checks pure signatures only up to ${max} bytes.`,
        };
        return prep;
      }
      prep.pure = new RegionBuffer(img.areas.hashedSize);
      prep.sinks.push(prep.pure);
    }
  }
  return prep;
}

/** Makes the verdict once the whole file went through the hash pass. */
export function decideVerdict(prep: PreparedVerification, hashed: HashResult): Verdict {
  const base = { fileSize: hashed.bytes, fileSha256: hashed.fileSha256.toString('hex') };
  const parsed = prep.parsed;
  if (parsed.status !== 'ok') {
    const category = parsed.status === 'invalid' ? parsed.category : 'truncated';
    const message = parsed.status === 'invalid' ? parsed.message : 'The image is cut short.';
    return { valid: false, category, message, ...base, notes: [] };
  }
  const img = parsed.value;
  const image = summarize(img);
  const notes = notesFor(img);
  const refuse = (category: VerifyCategory, message: string): Verdict => ({ valid: false, category, message, ...base, image, notes });
  if (prep.early) return refuse(prep.early.category, prep.early.message);
  const digest = hashed.regionDigest;
  if (!digest) return refuse('truncated', 'The file ended before the end of the hashed region.');
  if (digest.length !== img.facts.hash.length || !timingSafeEqual(digest, img.facts.hash)) {
    return refuse('hash-mismatch', `The image's ${img.facts.hashAlg.toUpperCase()} hash does not match its contents: the file was altered or damaged.`);
  }
  const plan = prep.plan as SignaturePlan;
  const failed: string[] = [];
  for (const c of plan.checks) {
    if (runCheck(c, prep, digest)) {
      return { valid: true, ...base, image, signer: { name: c.key.name, type: c.key.type, fingerprint: c.key.fingerprint }, notes };
    }
    failed.push(c.key.name);
  }
  if (failed.length > 0) {
    return refuse('bad-signature', `The signature does not match: the image claims to be signed by the trusted key "${failed.join('", "')}" but the signature is wrong.`);
  }
  return refuse(plan.fallback.category, plan.fallback.message);
}

function runCheck(c: SignatureCheck, prep: PreparedVerification, digest: Buffer): boolean {
  if (!c.signature) return false;
  switch (c.method) {
    case 'ed25519-digest':
      return verifyEd25519(c.key.publicKey, digest, c.signature);
    case 'ed25519-pure':
      return prep.pure !== null && verifyEd25519(c.key.publicKey, prep.pure.bytes, c.signature);
    case 'rsa-pss':
      return verifyRsaPssDigest(c.key.publicKey, digest, c.signature);
    case 'ecdsa': {
      const v = prep.ecdsa.get(c);
      try {
        return v !== undefined && v.verify({ key: c.key.publicKey, dsaEncoding: 'der' }, c.signature);
      } catch {
        return false;
      }
    }
  }
}

function notesFor(img: ParsedImage): string[] {
  const notes: string[] = [];
  const unknown = unknownFlags(img.header.flags);
  if (unknown) notes.push(`Unknown header flag bits 0x${unknown.toString(16)} are set.`);
  if (img.facts.keyTlv === 'PUBKEY') notes.push('The image names its key by PUBKEY only: a standard MCUboot build (without MCUBOOT_HW_KEY) expects KEYHASH.');
  if (img.facts.pure) notes.push('Pure Ed25519 signature: MCUboot does not check the hash TLV of such images; siteflash checks it anyway.');
  if (img.trailer) {
    notes.push(
      img.trailer.magic === 'none'
        ? `${img.trailer.bytesAfterTlvs} bytes follow the signed image without a trailer magic.`
        : `The file is padded to a whole slot with a swap trailer (${img.trailer.bytesAfterTlvs} bytes after the image); normally the unpadded image is uploaded.`,
    );
  }
  return notes;
}

/** Verifies an image held in memory against the trusted image keys. Never throws on bad input. */
export function verifyImageBytes(bytes: Uint8Array, keys: readonly TrustedKey[], opts: VerifyOptions = {}): Verdict {
  const prep = prepareVerification(parseImage(bytes), keys, opts);
  const hasher = new ImageHasher(prep.region, prep.sinks);
  hasher.update(bytes);
  return decideVerdict(prep, hasher.finish());
}
