import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { airtimeMs, DEFAULT_RADIO, radioBoundMs } from '../../../main/sim/radio';
import { dataFragments, FragmentDecoder, parityCount, parityFragment, parityLine, prbs23 } from '../../../main/sim/radio-fragments';
import { seededRandom } from '../../../main/sim/rng';

const image = (n: number) => new Uint8Array(n).map((_, i) => (i * 37 + (i >> 7)) & 0xff);

describe('LoRaWAN-style fragments with parity', () => {
  it('steps the PRBS23 and builds parity lines with ⌊K/2⌋ distinct data fragments', () => {
    expect(prbs23(1)).toBe(1 << 22); // bit0 ^ bit5 = 1 shifted into bit 22, the rest shifted right
    expect(prbs23(0x21)).toBe(0x10); // bit0 ^ bit5 = 0
    for (const k of [2, 7, 65, 100]) for (let n = 1; n <= 5; n++) expect(parityLine(n, k).filter(Boolean)).toHaveLength(Math.floor(k / 2));
    expect(parityLine(1, 1)).toEqual([true]);
  });

  it('needs no repair when every data fragment arrives', () => {
    const bytes = image(1000);
    const frags = dataFragments(bytes, 64);
    const dec = new FragmentDecoder(frags.length);
    frags.forEach((f, i) => dec.push(i, f));
    expect(dec.repaired).toBe(0);
    expect(Buffer.from(dec.assemble(1000)!).equals(Buffer.from(bytes))).toBe(true);
  });

  it('rebuilds a missing data fragment from one parity fragment that covers it', () => {
    const frags = dataFragments(image(640), 64);
    const line = parityLine(1, 10);
    const lost = line.indexOf(true);
    const dec = new FragmentDecoder(10);
    frags.forEach((f, i) => i !== lost && dec.push(i, f));
    expect(dec.complete).toBe(false);
    expect(dec.push(10, parityFragment(frags, 1))).toBe(1);
    expect(dec.repaired).toBe(1);
    expect(Buffer.from(dec.assemble(640)!).equals(Buffer.from(image(640)))).toBe(true);
  });

  it('never assembles wrong bytes, whatever arrives in whatever order', () => {
    const bytes = image(2000);
    const frags = dataFragments(bytes, 50);
    const k = frags.length;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: k + 30 }), { maxLength: 120 }), (order) => {
        const dec = new FragmentDecoder(k);
        for (const i of order) dec.push(i, i < k ? frags[i]! : parityFragment(frags, i - k + 1));
        const out = dec.assemble(bytes.length);
        if (out) expect(Buffer.from(out).equals(Buffer.from(bytes))).toBe(true);
        expect(dec.known + dec.missing().length).toBe(k);
      }),
      { numRuns: 150 },
    );
  });

  it('repairs most 10 %-loss receptions from 30 % parity alone', () => {
    const frags = dataFragments(image(8192), 128);
    const k = frags.length;
    const p = parityCount(k, 30);
    const random = seededRandom(4);
    let complete = 0;
    for (let trial = 0; trial < 100; trial++) {
      const dec = new FragmentDecoder(k);
      for (let i = 0; i < k + p; i++) if (random() >= 0.1) dec.push(i, i < k ? frags[i]! : parityFragment(frags, i - k + 1));
      if (dec.complete) complete++;
    }
    expect(complete).toBeGreaterThanOrEqual(85);
  });
});

describe('the radio bound', () => {
  it('is one duty-cycled multicast of data + parity per sub-batch', () => {
    // 8300 bytes → 65 data + 7 parity fragments; (128 + 16) · 8 / 50 000 s = 23.04 ms on air, ×10 for the 10 % duty.
    expect(airtimeMs(DEFAULT_RADIO, 128)).toBeCloseTo(23.04, 6);
    expect(radioBoundMs(DEFAULT_RADIO, 8300, 30, 10, 10)).toBeCloseTo(3 * 72 * 230.4, 6);
    expect(radioBoundMs(DEFAULT_RADIO, 8300, 31, 10, 10)).toBeCloseTo(4 * 72 * 230.4, 6);
  });
});
