/** Test helpers: images built with the builder, and surgery on their TLV areas. */
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { buildImage, seededBody, type BuildImageOptions } from '../../../main/image/build';
import { trustedKeyFromPem, type TrustedKey } from '../../../main/image/trusted-key';

/** A fresh Ed25519 pair: the private key for the builder, the trusted public key for the verifier. */
export function ed25519Pair(name = 'test-image', role: 'image' | 'release' = 'image'): { priv: KeyObject; key: TrustedKey } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { priv: privateKey, key: trustedKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString(), { name, role }) };
}

/** A small signed image. */
export function smallImage(priv: KeyObject, extra: Partial<BuildImageOptions> = {}): Uint8Array {
  return buildImage({ body: seededBody('helpers', 1000), version: '1.2.3+4', signingKey: priv, ...extra });
}

/** Encodes one TLV. */
export function tlv(type: number, value: Uint8Array | number[]): Buffer {
  const v = Buffer.from(value);
  const b = Buffer.alloc(4 + v.length);
  b.writeUInt16LE(type, 0);
  b.writeUInt16LE(v.length, 2);
  v.copy(b, 4);
  return b;
}

/** Encodes a TLV area with its info header. */
export function area(magic: number, tlvs: Buffer[]): Buffer {
  const body = Buffer.concat(tlvs);
  const info = Buffer.alloc(4);
  info.writeUInt16LE(magic, 0);
  info.writeUInt16LE(body.length + 4, 2);
  return Buffer.concat([info, body]);
}

/** Offsets of a well-formed image: end of the hashed region and the TLVs of its unprotected area. */
export function layout(img: Uint8Array) {
  const b = Buffer.from(img);
  const hashed = b.readUInt16LE(8) + b.readUInt32LE(12) + b.readUInt16LE(10);
  const tot = b.readUInt16LE(hashed + 2);
  const tlvs: { type: number; offset: number; value: Buffer }[] = [];
  for (let p = hashed + 4; p < hashed + tot; ) {
    const type = b.readUInt16LE(p);
    const len = b.readUInt16LE(p + 2);
    tlvs.push({ type, offset: p, value: b.subarray(p + 4, p + 4 + len) });
    p += 4 + len;
  }
  return { hashed, tot, tlvs };
}

/** The image with its unprotected area replaced by `tlvs`. */
export function withUnprotected(img: Uint8Array, tlvs: Buffer[]): Uint8Array {
  const { hashed } = layout(img);
  return new Uint8Array(Buffer.concat([Buffer.from(img.subarray(0, hashed)), area(0x6907, tlvs)]));
}

/** The image's hashed region with header/body/protected bytes changed, re-hashed but not re-signed. */
export function sha256(b: Uint8Array): Buffer {
  return createHash('sha256').update(b).digest();
}
