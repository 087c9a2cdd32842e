import type { LinkFraming } from '../links/link';
import { SMP_HEADER_SIZE } from './constants';

/**
 * Upload chunk budget (smp.md §5.4, §5.5): how many data bytes one image upload request may
 * carry so that the whole encoded packet fits the device's buffer and the link's limits.
 * Sizes are computed exactly for definite-length CBOR with shortest integers, the way
 * {@link encodePacket} encodes `{"off", "data"}` and `{"image"?, "len", "off", "sha", "data", "upgrade"?}`.
 */

/** Default UDP datagram limit over IPv4/Ethernet (smp.md §5.4). */
export const UDP_SAFE_DATAGRAM = 1472;
/** Serial frame overhead counted in the device buffer: 2-byte length + 2-byte CRC (smp.md §5.4). */
export const SERIAL_FRAME_OVERHEAD = 4;
/** Default flash write alignment when the device's is unknown (smp.md §5.3 step 2). */
export const DEFAULT_ALIGNMENT = 4;

/** Inputs to {@link maxChunkData} and {@link packetLimit}. */
export interface ChunkBudgetOptions {
  /** The device's `buf_size` (OS mcumgr parameters), or 384 when unknown. */
  bufSize: number;
  transport: LinkFraming;
  /** BLE: ATT MTU − 3 (one write); raw/UDP: the datagram limit (default 1472). */
  maxWrite?: number;
  /** BLE: the device reassembles split requests (`CONFIG_MCUMGR_TRANSPORT_BT_REASSEMBLY`). */
  bleReassembly?: boolean;
  /** Total file length being uploaded (`len`). */
  imageLength: number;
  /** Offset of this chunk; 0 means the first-chunk form. */
  offset: number;
  /** Flash write unit A: non-final chunks are cut to a multiple of it (smp.md §5.5). Default 4. */
  alignment?: number;
  /** Extra first-chunk fields the client sends. `shaLength` defaults to 32 (siteflash always sends `sha`). */
  firstChunk?: { image?: number; upgrade?: boolean; shaLength?: number };
}

/** Largest whole SMP packet (header + CBOR) one request may be on this transport (smp.md §5.4). */
export function packetLimit(o: Pick<ChunkBudgetOptions, 'bufSize' | 'transport' | 'maxWrite' | 'bleReassembly'>): number {
  switch (o.transport) {
    case 'serial':
      return o.bufSize - SERIAL_FRAME_OVERHEAD;
    case 'ble': {
      const write = o.maxWrite ?? 20;
      if (!o.bleReassembly) return Math.min(o.bufSize, write);
      // Split over several writes, a packet should fill each one: a part-filled last write costs a
      // whole packet slot of the connection event (smp.md §7), so whole writes carry more per second.
      return o.bufSize >= write ? Math.floor(o.bufSize / write) * write : o.bufSize;
    }
    case 'hid':
      return o.bufSize;
    case 'raw':
      return Math.min(o.bufSize, o.maxWrite ?? UDP_SAFE_DATAGRAM);
  }
}

/** Encoded size of the request without the data bytes and without the data's byte-string header. */
export function requestOverhead(o: Pick<ChunkBudgetOptions, 'imageLength' | 'offset' | 'firstChunk'>): number {
  let size = SMP_HEADER_SIZE + 1; // header + map head (< 24 pairs)
  size += textSize('off') + uintSize(o.offset);
  size += textSize('data');
  if (o.offset === 0) {
    const f = o.firstChunk ?? {};
    size += textSize('len') + uintSize(o.imageLength);
    size += textSize('sha') + uintSize(f.shaLength ?? 32) + (f.shaLength ?? 32);
    if (f.image !== undefined) size += textSize('image') + uintSize(f.image);
    if (f.upgrade !== undefined) size += textSize('upgrade') + 1;
  }
  return size;
}

/**
 * Data bytes for the chunk at `offset`: the rest of the image when it fits, otherwise the
 * largest count that keeps the packet within {@link packetLimit}, cut down to the alignment.
 * Returns 0 when not even one aligned unit fits (the caller must report that, not loop).
 */
export function maxChunkData(o: ChunkBudgetOptions): number {
  const remaining = o.imageLength - o.offset;
  if (remaining <= 0) return 0;
  const avail = packetLimit(o) - requestOverhead(o);
  let n = Math.max(0, avail - 1);
  while (n > 0 && uintSize(n) + n > avail) n--;
  if (remaining <= n) return remaining;
  const align = Math.max(1, o.alignment ?? DEFAULT_ALIGNMENT);
  return n - (n % align);
}

/** Bytes of a CBOR head carrying `n` (major types 0, 2, 3): 1, 2, 3, 5 or 9 (smp.md §5.4). */
export function uintSize(n: number): number {
  if (n < 24) return 1;
  if (n < 0x100) return 2;
  if (n < 0x10000) return 3;
  if (n < 0x100000000) return 5;
  return 9;
}

function textSize(s: string): number {
  return uintSize(s.length) + s.length;
}
