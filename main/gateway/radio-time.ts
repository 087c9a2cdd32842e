import type { RadioTimeEstimate } from '../../preload/api';
import { airtimeMs, fragmentCount, framePeriodMs, type RadioParams } from '../sim/radio';

/** Devices of one board behind the gateway and the size of the image they get. */
export interface RadioGroup {
  board: string;
  imageBytes: number;
  devices: number;
}

/**
 * The radio time a gateway update will take, from first principles: each batch of up to
 * `batchSize` devices getting the same image costs one multicast of K data fragments plus
 * ⌈K·redundancy/100⌉ parity fragments (field-group.md "batch"; LoRaWAN TS004), each frame
 * `(fragment + overhead)·8 / bitRate` on air and the gateway then quiet for the rest of its duty
 * cycle. Devices of different boards never share a batch (their images differ). Unicast repairs,
 * control frames, installs and reboots come on top: this is the least the radio needs.
 */
export function estimateRadioTime(radio: RadioParams, groups: readonly RadioGroup[], batchSize: number, redundancy: number): RadioTimeEstimate {
  let batches = 0;
  let radioMs = 0;
  let devices = 0;
  for (const g of groups) {
    if (g.devices <= 0) continue;
    const n = Math.ceil(g.devices / batchSize);
    const k = fragmentCount(radio, g.imageBytes);
    const frames = k + Math.ceil((k * redundancy) / 100);
    batches += n;
    devices += g.devices;
    radioMs += n * frames * framePeriodMs(radio, radio.fragmentSize);
  }
  return {
    devices,
    batches,
    batchSize,
    redundancy,
    radioMs: Math.round(radioMs),
    model: { bitRate: radio.bitRate, fragmentSize: radio.fragmentSize, frameOverhead: radio.frameOverhead, dutyCycle: radio.dutyCycle, frameAirtimeMs: airtimeMs(radio, radio.fragmentSize) },
  };
}
