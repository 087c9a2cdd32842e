import { describe, expect, it } from 'vitest';
import { displayVersion } from '../../../main/image/version';

describe('displayVersion: one spelling, 1.2.3+4, for every version shown', () => {
  it.each([
    ['1.2.3.4', '1.2.3+4'], // SMP image list (smp.md §3.2; transcripts: "1.2.3.4")
    ['1.1.0', '1.1.0+0'], // SMP omits a zero build
    ['1.2.3+4', '1.2.3+4'], // field identity, imgtool
    ['2', '2.0.0+0'],
    [' 0.9.1+12 ', '0.9.1+12'],
  ])('%s → %s', (text, shown) => {
    expect(displayVersion(text)).toBe(shown);
  });

  it('shows text that is not a version as it came', () => {
    expect(displayVersion('zephyr-3.5')).toBe('zephyr-3.5');
    expect(displayVersion('')).toBe('');
  });
});
