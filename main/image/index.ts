/**
 * Public face of main/image: MCUboot image parsing and offline verification, trusted keys,
 * release bundles and image selection. Other parts import from here.
 */
export type { VerifyCategory, HashAlg, KeyType, ImageVersion, ImageSummary, TrailerInfo, ImageDependency, SignerInfo, Verdict, ValidVerdict, InvalidVerdict, ParseResult } from './types';
export { VERIFY_CATEGORIES } from './types';
export { parseHeader, type ImageHeader } from './header';
export { parseImage, summarize, type ParsedImage } from './parse';
export { verifyImageBytes, DEFAULT_MAX_PURE_BYTES, type VerifyOptions } from './verify';
export { verifyImageFile, DEFAULT_CHUNK_SIZE, type VerifyFileOptions } from './verify-file';
export { inspectImageFile, type ImageInspection, type TlvListing } from './inspect';
export { trustedKeyFromPem, keyHash, type TrustedKey, type KeyRole } from './trusted-key';
export { KeyStore, keyStoreFor, KEY_ROLES, type KeyListing, type KeyProblem } from './key-store';
export { formatVersion, parseVersion, compareVersions } from './version';
export { boardOf, BOARD_TLV } from './board-tag';
export { buildImage, seededBody, type BuildImageOptions } from './build';
export { buildBundle, writeBundleFolder, writeBundleTar, type BuiltBundle, type BuildBundleOptions } from './bundle-build';
export { parseManifest, BUNDLE_FORMAT, type BundleManifest, type BundleComponent } from './bundle-manifest';
export { verifyBundleFolder, type BundleVerdict, type BundleRefusal, type BundleVerifyOptions } from './bundle-verify';
export { BundleStore, type StoredBundle, type BundleImportResult } from './bundle-store';
export { selectImage, type DeviceFacts, type DeviceSlot, type Selection, type SelectRefusal } from './select';
