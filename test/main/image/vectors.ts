/** Loads shared/vectors (the imgtool-made test images) for the image tests. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { trustedKeyFromPem, type TrustedKey } from '../../../main/image/trusted-key';

export const VECTORS_DIR = path.resolve(import.meta.dirname, '../../../../shared/vectors');

export interface VectorEntry {
  file: string;
  trusted_key: string;
  expected: 'valid' | 'invalid';
  reason: string | null;
  acceptable_reasons: string[];
  version: string;
  hdr_size: number;
  img_size: number;
  protect_tlv_size?: number;
  flags?: number;
  load_addr?: number;
  hash_alg: string;
  image_hash: string;
  file_size: number;
  file_sha256: string;
  security_counter?: number | null;
  dependencies?: { image_id: number; min_version: string }[];
  custom_tlvs?: Record<string, string>;
  key_tlv?: string;
  pure?: boolean;
  trailer?: { bytes_after_tlvs: number; magic_hex: string; image_ok: number; copy_done: number; swap_info: number } | null;
  derived_from?: string;
}

export const vectors = JSON.parse(readFileSync(path.join(VECTORS_DIR, 'vectors.json'), 'utf8')) as {
  keys: Record<string, { file: string; type: string; keyhash_sha256: string; key_bytes_len: number }>;
  vectors: VectorEntry[];
};

export function vectorBytes(file: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(VECTORS_DIR, file)));
}

export function vectorKey(file: string, role: 'image' | 'release' = 'image'): TrustedKey {
  return trustedKeyFromPem(readFileSync(path.join(VECTORS_DIR, file)), { name: path.basename(file, '.pub.pem'), role });
}
