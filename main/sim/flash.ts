import { inspectSlotImage, type SlotImage } from './slot-image';

/** The swap-state fields of one slot's trailer that MCUboot decides from (mcuboot-image.md §5). */
export interface Trailer {
  magic: boolean;
  imageOk: boolean;
  copyDone: boolean;
}

/** What MCUboot does at the next boot (mcuboot-image.md §5.1 rules 2–5). */
export type SwapKind = 'test' | 'permanent' | 'revert' | 'none';

/** The outcome of {@link SimFlash.boot}. */
export interface BootOutcome {
  swap: SwapKind;
  /** The requested image failed validation: it was erased and the primary kept. */
  refused: boolean;
  /** Bytes moved by the swap (for timing). */
  swapBytes: number;
}

const erasedTrailer = (): Trailer => ({ magic: false, imageOk: false, copyDone: false });

/**
 * Two image slots (primary 0, secondary 1) in swap mode, with their trailers. Slot contents are
 * kept as the image bytes written (undefined = erased); trailers as their decoded flags.
 */
export class SimFlash {
  private readonly contents: [Uint8Array | undefined, Uint8Array | undefined];
  private readonly trailers: [Trailer, Trailer] = [erasedTrailer(), erasedTrailer()];
  private readonly cache = new WeakMap<Uint8Array, SlotImage | null>();

  constructor(
    /** Slot size in bytes. */
    readonly slotSize: number,
    primary: Uint8Array,
  ) {
    this.contents = [primary, undefined];
  }

  /** Largest image a slot takes: the slot less one sector kept for the trailer. */
  maxImageSize(sectorSize: number): number {
    return this.slotSize - sectorSize;
  }

  /** The image in `slot`, when it parses; cached per written buffer. */
  image(slot: 0 | 1): SlotImage | undefined {
    const bytes = this.contents[slot];
    if (!bytes) return undefined;
    let img = this.cache.get(bytes);
    if (img === undefined) {
      img = inspectSlotImage(bytes) ?? null;
      this.cache.set(bytes, img);
    }
    return img ?? undefined;
  }

  trailer(slot: 0 | 1): Readonly<Trailer> {
    return this.trailers[slot];
  }

  /** Erases a slot and its trailer. */
  erase(slot: 0 | 1): void {
    this.contents[slot] = undefined;
    this.trailers[slot] = erasedTrailer();
  }

  /** Starts writing a new image of `len` bytes into `slot` (erased first); returns the buffer to fill. */
  beginWrite(slot: 0 | 1, len: number): Uint8Array {
    this.erase(slot);
    const buf = new Uint8Array(len).fill(0xff);
    this.contents[slot] = buf;
    return buf;
  }

  /** Writes `data` at `offset` of the image being written in `slot` (started with {@link beginWrite}). */
  writeAt(slot: 0 | 1, offset: number, data: Uint8Array): void {
    this.contents[slot]?.set(data, offset);
    this.touched(slot);
  }

  /** Marks the buffer of `slot` as changed, so the next {@link image} reads it again. */
  touched(slot: 0 | 1): void {
    const bytes = this.contents[slot];
    if (bytes) this.cache.delete(bytes);
  }

  /** Test request: secondary trailer gets the magic, image_ok stays unset (§5.1). */
  requestTest(): void {
    this.trailers[1] = { magic: true, imageOk: false, copyDone: false };
  }

  /** Permanent request: secondary trailer gets the magic and image_ok (§5.1). */
  requestPermanent(): void {
    this.trailers[1] = { magic: true, imageOk: true, copyDone: false };
  }

  /** Confirm: image_ok = 1 in the primary trailer (§5.1). */
  confirmPrimary(): void {
    this.trailers[0] = { ...this.trailers[0], imageOk: true };
  }

  /** The swap the next boot performs: the first matching rule of §5.1. */
  nextSwap(): SwapKind {
    const [p, s] = this.trailers;
    if (s.magic && !s.imageOk) return 'test';
    if (s.magic && s.imageOk) return 'permanent';
    if (p.magic && !p.imageOk && p.copyDone) return 'revert';
    return 'none';
  }

  /** The primary runs a swapped-in image that is not confirmed yet (the next boot reverts). */
  get onTrial(): boolean {
    return this.nextSwap() === 'revert';
  }

  /**
   * Runs MCUboot's boot decision and applies it. A test/permanent request whose image fails
   * validation (here: unparsable or hash mismatch) is erased and the primary keeps running.
   */
  boot(): BootOutcome {
    const swap = this.nextSwap();
    if (swap === 'none') return { swap, refused: false, swapBytes: 0 };
    if (swap !== 'revert') {
      const img = this.image(1);
      if (!img || !img.hashOk) {
        this.erase(1);
        return { swap, refused: true, swapBytes: 0 };
      }
    }
    const swapBytes = Math.max(this.contents[0]?.length ?? 0, this.contents[1]?.length ?? 0);
    this.contents.reverse();
    this.trailers[1] = erasedTrailer();
    this.trailers[0] = { magic: true, copyDone: true, imageOk: swap !== 'test' };
    return { swap, refused: false, swapBytes };
  }
}
