import { describe, expect, it } from 'vitest';
import { formatBytes, formatEta, formatRate, percent } from '../../../renderer/src/components/format';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1, '1 B'],
    [512, '512 B'],
    [999, '999 B'],
    [1000, '1 kB'],
    [1500, '1.5 kB'],
    [10_000, '10 kB'],
    [12_345, '12.3 kB'],
    [100_000, '100 kB'],
    [245_000, '245 kB'],
    [999_499, '999 kB'],
    [999_500, '1 MB'],
    [1_024_000, '1.02 MB'],
    [1_250_000_000, '1.25 GB'],
    [3_000_000_000_000, '3000 GB'],
  ])('writes %d bytes as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('reads unknown sizes as a dash, not as zero', () => {
    for (const v of [undefined, null, Number.NaN, -1, Infinity]) expect(formatBytes(v)).toBe('—');
  });
});

describe('formatRate', () => {
  it('writes bytes per second with a /s unit', () => {
    expect(formatRate(11_520)).toBe('11.5 kB/s');
    expect(formatRate(230)).toBe('230 B/s');
    expect(formatRate(1_200_000)).toBe('1.2 MB/s');
  });

  it('shows a stalled link as 0 B/s and a rate not yet measured as a dash', () => {
    expect(formatRate(0)).toBe('0 B/s');
    expect(formatRate(undefined)).toBe('—');
    expect(formatRate(Number.NaN)).toBe('—');
  });
});

describe('formatEta', () => {
  it.each([
    [0, '0 s'],
    [0.2, '< 1 s'],
    [1, '1 s'],
    [41.2, '42 s'],
    [59.5, '1 min'],
    [60, '1 min'],
    [185, '3 min 5 s'],
    [599, '9 min 59 s'],
    [600, '10 min'],
    [601, '11 min'],
    [3540, '59 min'],
    [3600, '1 h'],
    [3720, '1 h 2 min'],
    [90_000, '25 h'],
  ])('writes %d seconds as %s', (seconds, text) => {
    expect(formatEta(seconds)).toBe(text);
  });

  it('rounds up, so a transfer with time left never says 0 s', () => {
    expect(formatEta(0.001)).not.toBe('0 s');
    expect(formatEta(59.01)).toBe('1 min');
  });

  it('reads an unknown or endless ETA as a dash', () => {
    for (const v of [undefined, null, Number.NaN, -5, Infinity]) expect(formatEta(v)).toBe('—');
  });
});

describe('percent', () => {
  it('floors, so 100 only when every byte is done', () => {
    expect(percent(0, 1000)).toBe(0);
    expect(percent(999, 1000)).toBe(99);
    expect(percent(1000, 1000)).toBe(100);
  });

  it('clamps to 0–100 and treats an unknown total as 0', () => {
    expect(percent(2000, 1000)).toBe(100);
    expect(percent(-5, 1000)).toBe(0);
    expect(percent(5, 0)).toBe(0);
  });
});
