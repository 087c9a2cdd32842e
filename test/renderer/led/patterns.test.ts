import { describe, expect, it } from 'vitest';
import {
  LED_PATTERNS,
  LED_PATTERN_LIST,
  ledSegments,
  ledStateAt,
  periodMs,
  playMs,
  type LedPatternName,
} from '../../../renderer/src/led/patterns';

/** The LED sampled every `stepMs` from 0 to `untilMs`, as a string of 1 (on) and 0 (off). */
function sample(name: LedPatternName, untilMs: number, stepMs: number): string {
  let out = '';
  for (let t = 0; t < untilMs; t += stepMs) out += ledStateAt(LED_PATTERNS[name], t) ? '1' : '0';
  return out;
}

describe('the LED table of field-group.md', () => {
  it('has exactly the seven named patterns, in the table order', () => {
    expect(LED_PATTERN_LIST.map((p) => p.name)).toEqual([
      'update-mode', 'receiving', 'installing', 'joined', 'error', 'identify', 'off',
    ]);
    for (const [name, pattern] of Object.entries(LED_PATTERNS)) expect(pattern.name).toBe(name);
  });

  it('gives each pattern the period the table gives', () => {
    expect(periodMs(LED_PATTERNS['update-mode'])).toBe(2 * (100 + 200) + 1000);
    expect(periodMs(LED_PATTERNS.receiving)).toBe(1000);
    expect(periodMs(LED_PATTERNS.installing)).toBe(200);
    expect(periodMs(LED_PATTERNS.joined)).toBe(3000);
    expect(periodMs(LED_PATTERNS.error)).toBe(3 * (300 + 300) + 1000);
    expect(periodMs(LED_PATTERNS.identify)).toBe(500);
  });

  it('plays joined once and identify for 10 s in all; the others loop forever', () => {
    expect(playMs(LED_PATTERNS.joined)).toBe(3000);
    expect(playMs(LED_PATTERNS.identify)).toBe(10_000);
    for (const name of ['update-mode', 'receiving', 'installing', 'error', 'off'] as const) {
      expect(playMs(LED_PATTERNS[name])).toBe(Infinity);
    }
  });
});

describe('ledStateAt', () => {
  it('blinks update-mode twice (100 on, 200 off) then stays dark for 1000 ms, and repeats', () => {
    // 50 ms samples over two periods (3200 ms): 2 on, 4 off, 2 on, 4 off, 20 off.
    const period = '11' + '0000' + '11' + '0000' + '0'.repeat(20);
    expect(sample('update-mode', 3200, 50)).toBe(period + period);
  });

  it('switches exactly at step edges: a step covers [start, start + ms)', () => {
    const p = LED_PATTERNS['update-mode'];
    expect(ledStateAt(p, 0)).toBe(true);
    expect(ledStateAt(p, 99.999)).toBe(true);
    expect(ledStateAt(p, 100)).toBe(false);
    expect(ledStateAt(p, 299)).toBe(false);
    expect(ledStateAt(p, 300)).toBe(true);
    expect(ledStateAt(p, 400)).toBe(false);
    expect(ledStateAt(p, 1599)).toBe(false);
    expect(ledStateAt(p, 1600)).toBe(true);
  });

  it('blinks receiving 500/500 and installing 100/100', () => {
    expect(sample('receiving', 2000, 250)).toBe('11001100');
    expect(sample('installing', 800, 50)).toBe('1100110011001100');
  });

  it('shows error as three 300 ms blinks then 1000 ms off', () => {
    expect(sample('error', 2800, 100)).toBe('111000111000111000' + '0000000000');
    expect(ledStateAt(LED_PATTERNS.error, 2800)).toBe(true);
  });

  it('keeps joined on for 3000 ms, then off for good', () => {
    const joined = LED_PATTERNS.joined;
    expect(ledStateAt(joined, 0)).toBe(true);
    expect(ledStateAt(joined, 2999)).toBe(true);
    expect(ledStateAt(joined, 3000)).toBe(false);
    expect(ledStateAt(joined, 6000)).toBe(false);
    expect(ledStateAt(joined, 60_000)).toBe(false);
  });

  it('blinks identify 250/250 for ten seconds, then stops', () => {
    const identify = LED_PATTERNS.identify;
    expect(sample('identify', 1000, 125)).toBe('11001100');
    expect(ledStateAt(identify, 9500)).toBe(true);
    expect(ledStateAt(identify, 9749)).toBe(true);
    expect(ledStateAt(identify, 9750)).toBe(false);
    expect(ledStateAt(identify, 10_000)).toBe(false);
    expect(ledStateAt(identify, 10_250)).toBe(false);
  });

  it('never lights off, and is dark before the start or at a time that is not a number', () => {
    expect(sample('off', 5000, 100)).toBe('0'.repeat(50));
    expect(ledStateAt(LED_PATTERNS.receiving, -1)).toBe(false);
    expect(ledStateAt(LED_PATTERNS.receiving, Number.NaN)).toBe(false);
  });
});

describe('ledSegments', () => {
  it('merges the update-mode off steps into one dark run per period', () => {
    expect(ledSegments(LED_PATTERNS['update-mode'], 1700)).toEqual([
      { on: true, startMs: 0, ms: 100 },
      { on: false, startMs: 100, ms: 200 },
      { on: true, startMs: 300, ms: 100 },
      { on: false, startMs: 400, ms: 1200 },
      { on: true, startMs: 1600, ms: 100 },
    ]);
  });

  it('repeats the period across the window and cuts the last run at its edge', () => {
    expect(ledSegments(LED_PATTERNS.receiving, 1200)).toEqual([
      { on: true, startMs: 0, ms: 500 },
      { on: false, startMs: 500, ms: 500 },
      { on: true, startMs: 1000, ms: 200 },
    ]);
  });

  it('ends a once pattern with the LED off for the rest of the window', () => {
    expect(ledSegments(LED_PATTERNS.joined, 4000)).toEqual([
      { on: true, startMs: 0, ms: 3000 },
      { on: false, startMs: 3000, ms: 1000 },
    ]);
  });

  it('agrees with ledStateAt at every millisecond of the window', () => {
    for (const pattern of LED_PATTERN_LIST) {
      const segments = ledSegments(pattern, 3000);
      expect(segments.reduce((sum, s) => sum + s.ms, 0)).toBe(3000);
      for (const s of segments) {
        for (let t = s.startMs; t < s.startMs + s.ms; t += 10) expect(ledStateAt(pattern, t)).toBe(s.on);
      }
    }
  });
});
