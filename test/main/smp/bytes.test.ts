import { describe, expect, it } from 'vitest';
import { sameBytes } from '../../../main/smp/bytes';

describe('sameBytes', () => {
  it('is true only for the same length and the same values', () => {
    expect(sameBytes(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3))).toBe(true);
    expect(sameBytes(new Uint8Array(0), new Uint8Array(0))).toBe(true);
    expect(sameBytes(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4))).toBe(false);
    expect(sameBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 0))).toBe(false);
    expect(sameBytes(Uint8Array.of(0), new Uint8Array(0))).toBe(false);
  });

  it('compares views by their own window, not the buffer behind them', () => {
    const backing = Uint8Array.of(9, 1, 2, 9);
    expect(sameBytes(backing.subarray(1, 3), Uint8Array.of(1, 2))).toBe(true);
  });
});
