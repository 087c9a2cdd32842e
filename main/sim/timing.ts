/**
 * How long a simulated device takes. Defaults are in the range of an nRF52-class part on a
 * 115200-baud console; every field can be overridden.
 */
export interface TimingModel {
  /** Serial line rate in baud; a byte takes 10 bit times (8N1). 0 = unthrottled. */
  baud: number;
  /** Time to handle one request before its answer starts, ms. */
  processingMs: number;
  /** Flash erase unit, bytes. */
  sectorSize: number;
  /** Erasing one sector, ms. */
  eraseMsPerSector: number;
  /** Flash write speed, bytes per ms (40 ≈ 40 KB/s). */
  writeBytesPerMs: number;
  /** Delay between the reset answer and the reset itself (Zephyr `CONFIG_MCUMGR_GRP_OS_RESET_MS`). */
  resetDelayMs: number;
  /** Boot time of bootloader + application when nothing is swapped, ms. */
  bootMs: number;
  /** Swapping one sector between the slots (erase + copy both ways), ms. */
  swapMsPerSector: number;
}

/** The default {@link TimingModel}. */
export const DEFAULT_TIMING: TimingModel = {
  baud: 115200,
  processingMs: 2,
  sectorSize: 4096,
  eraseMsPerSector: 45,
  writeBytesPerMs: 40,
  resetDelayMs: 250,
  bootMs: 800,
  swapMsPerSector: 60,
};

/** Time to erase the sectors covering `bytes`. */
export function eraseMs(t: TimingModel, bytes: number): number {
  return Math.ceil(bytes / t.sectorSize) * t.eraseMsPerSector;
}

/** Time to write `bytes` to flash. */
export function writeMs(t: TimingModel, bytes: number): number {
  return bytes / t.writeBytesPerMs;
}

/** Time to swap an image of `bytes` between the slots. */
export function swapMs(t: TimingModel, bytes: number): number {
  return Math.ceil(bytes / t.sectorSize) * t.swapMsPerSector;
}

/** Time one byte takes on the serial line, ms (0 when unthrottled). */
export function byteMs(t: TimingModel): number {
  return t.baud > 0 ? 10_000 / t.baud : 0;
}
