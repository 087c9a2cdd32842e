import type { Random } from './rng';

/**
 * The gateway's radio as the simulator models it: one shared channel, a bit rate, a fragment
 * size, a per-frame overhead and a duty-cycle limit on what the gateway transmits (EU868 sub-band
 * g3 allows 10 %). Every downlink frame of `n` payload bytes takes `(n + overhead) · 8 / bitRate`
 * seconds on air and then keeps the gateway quiet until `airtime / duty` has passed.
 */
export interface RadioParams {
  /** Bits per second on air (default 50 000, an FSK mesh radio). */
  bitRate: number;
  /** Image bytes per fragment (default 128). */
  fragmentSize: number;
  /** Preamble, header and MIC bytes per frame (default 16). */
  frameOverhead: number;
  /** Share of time the gateway may transmit, 0 < duty ≤ 1 (default 0.1). */
  dutyCycle: number;
  /** Payload of a control frame (status request, answer, confirm), bytes (default 12). */
  controlBytes: number;
  /** Unicast repair rounds per device before it fails with `radio_loss` (default 8). */
  repairRounds: number;
}

/** The default {@link RadioParams}. */
export const DEFAULT_RADIO: RadioParams = {
  bitRate: 50_000,
  fragmentSize: 128,
  frameOverhead: 16,
  dutyCycle: 0.1,
  controlBytes: 12,
  repairRounds: 8,
};

/** How one device hears the gateway. */
export interface RadioLinkModel {
  /** Probability that a frame to or from this device is lost (0..1). */
  lossRate: number;
  /** Received signal strength, dBm (what `scan` reports). */
  rssi: number;
  /** Clock time (ms) at which the device walks out of range; never when undefined. */
  outOfRangeAt?: number;
}

/** Time a frame with `payload` bytes spends on air, ms. */
export function airtimeMs(r: RadioParams, payload: number): number {
  return ((payload + r.frameOverhead) * 8 * 1000) / r.bitRate;
}

/** Time from the start of one downlink frame to when the next may start (duty cycle), ms. */
export function framePeriodMs(r: RadioParams, payload: number): number {
  return airtimeMs(r, payload) / r.dutyCycle;
}

/** Data fragments of an image of `bytes`. */
export function fragmentCount(r: RadioParams, bytes: number): number {
  return Math.ceil(bytes / r.fragmentSize);
}

/**
 * The radio's bound on a whole gateway update: every batch of `batchSize` devices costs one
 * multicast of K data + ⌈K·redundancy/100⌉ parity fragments at the duty-cycled frame period.
 * No schedule on this channel can be faster; repairs, control frames and installs come on top.
 */
export function radioBoundMs(r: RadioParams, imageBytes: number, devices: number, batchSize: number, redundancy: number): number {
  const k = fragmentCount(r, imageBytes);
  const frames = k + Math.ceil((k * redundancy) / 100);
  return Math.ceil(devices / batchSize) * frames * framePeriodMs(r, r.fragmentSize);
}

/** True when `link` delivers one frame now (in range and not lost). */
export function delivered(link: RadioLinkModel, now: number, random: Random): boolean {
  if (link.outOfRangeAt !== undefined && now >= link.outOfRangeAt) return false;
  return random() >= link.lossRate;
}

/** True while the device is within range. */
export function inRange(link: RadioLinkModel, now: number): boolean {
  return link.outOfRangeAt === undefined || now < link.outOfRangeAt;
}
