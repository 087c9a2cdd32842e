import type { HashAlg } from '../image/types';
import type { DeviceIdentity } from './commands/field';
import { isNotSupported, osInfo } from './commands/os';
import { DeviceError } from './errors';
import type { SmpSession } from './session';

/** What the checks need to know of a verified image (main/image `ImageSummary`). */
export interface ImageFacts {
  version: string;
  /** The image's hash TLV algorithm: what the device's image list must be able to compute. */
  hashAlg: HashAlg;
  /** The board tag (TLV 0x01a5), null when the image carries none. */
  board: string | null;
}

/** Which hash TLVs the device's SMP server lists, when it can be learned; `null` when it cannot. */
export interface AcceptedHashes {
  accepted: HashAlg[] | null;
  /** Where that came from, for messages. */
  source: string;
}

/**
 * Learns from OS info (smp.md §3.1: kernel name and release) which hash TLVs the server handles.
 * Zephyr 3.x's image management computes and lists SHA-256 hash TLVs only (smp.md §11.2 records
 * 3.5.0); anything else (a newer Zephyr, MCUboot serial recovery answering rc 8) is unknown.
 */
export async function acceptedHashes(session: SmpSession, signal?: AbortSignal): Promise<AcceptedHashes> {
  let text: string;
  try {
    text = await osInfo(session, 'sr', signal);
  } catch (err) {
    if (isNotSupported(err)) return { accepted: null, source: 'the device does not answer OS info' };
    throw err;
  }
  const m = /^Zephyr\s+v?(\d+)\.(\d+)/.exec(text.trim());
  if (m && Number(m[1]) === 3) return { accepted: ['sha256'], source: `Zephyr ${m[1]}.${m[2]}` };
  return { accepted: null, source: `OS info "${text}"` };
}

/**
 * Refuses, before any image byte is sent, an image the device would take but never list (a hash
 * TLV its server does not handle) or that is tagged for another board than the device reports.
 * Returns warnings for what could not be checked.
 */
export async function checkImageFits(session: SmpSession, image: ImageFacts, identity: DeviceIdentity | undefined, signal?: AbortSignal): Promise<string[]> {
  const warnings: string[] = [];
  if (image.board !== null) {
    if (identity && identity.board !== image.board) {
      throw new DeviceError('refused', `${image.version} is tagged for board ${image.board}; this device is a ${identity.board}. Nothing was sent.`, { check: 'board' });
    }
    if (!identity) warnings.push(`The device does not report its board, so the image's board tag (${image.board}) could not be checked.`);
  }
  const hashes = await acceptedHashes(session, signal);
  const name = image.hashAlg.toUpperCase().replace('SHA', 'SHA-');
  if (hashes.accepted === null) {
    if (image.hashAlg !== 'sha256') warnings.push(`Which hash TLVs this device lists is unknown (${hashes.source}); ${image.version} has a ${name} hash TLV, and servers that do not handle it take the upload but never list the image.`);
  } else if (!hashes.accepted.includes(image.hashAlg)) {
    throw new DeviceError('refused', `${image.version} has a ${name} hash TLV; this device (${hashes.source}) lists only ${hashes.accepted.map((a) => a.toUpperCase().replace('SHA', 'SHA-')).join(', ')} images, so it would take the upload and never list it. Nothing was sent; rebuild the image with SHA-256.`, { check: 'hash-tlv' });
  }
  return warnings;
}
