/**
 * The field group's status-LED patterns as data (field-group.md "LED patterns"), and the pure
 * function that says whether the LED is lit at a given moment. Plain TypeScript: no DOM, no timers,
 * so the table is unit-tested and the components only draw what these functions answer.
 */

/** A pattern name as the field group's `led` field and `led` command use it. */
export type LedPatternName = 'update-mode' | 'receiving' | 'installing' | 'joined' | 'error' | 'identify' | 'off';

/** One stretch of time with the LED on or off. */
export interface LedStep {
  readonly on: boolean;
  readonly ms: number;
}

/** One row of the LED table. */
export interface LedPattern {
  readonly name: LedPatternName;
  /** What the pattern means, in the technician's words (the table's "meaning" column). */
  readonly meaning: string;
  /** The table's "pattern" column, as text to show beside the LED. */
  readonly rhythm: string;
  /** One period, in order. */
  readonly steps: readonly LedStep[];
  /** `repeat`: the period loops; `once`: it plays one time, then the LED stays off. */
  readonly mode: 'repeat' | 'once';
  /** For a repeating pattern that stops by itself (`identify`): how long it plays in all, in ms. */
  readonly totalMs?: number;
}

const on = (ms: number): LedStep => ({ on: true, ms });
const off = (ms: number): LedStep => ({ on: false, ms });
const times = (n: number, steps: readonly LedStep[]): LedStep[] => Array.from({ length: n }, () => steps).flat();

/** The LED table of field-group.md "LED patterns", row by row. */
export const LED_PATTERNS: Readonly<Record<LedPatternName, LedPattern>> = {
  'update-mode': {
    name: 'update-mode',
    meaning: 'In manual update mode, waiting for an image',
    rhythm: '2 × (100 ms on, 200 ms off), then 1000 ms off',
    steps: [...times(2, [on(100), off(200)]), off(1000)],
    mode: 'repeat',
  },
  receiving: {
    name: 'receiving',
    meaning: 'Image download in progress',
    rhythm: '500 ms on, 500 ms off',
    steps: [on(500), off(500)],
    mode: 'repeat',
  },
  installing: {
    name: 'installing',
    meaning: 'Verifying and swapping, about to reset',
    rhythm: '100 ms on, 100 ms off',
    steps: [on(100), off(100)],
    mode: 'repeat',
  },
  joined: {
    name: 'joined',
    meaning: 'Rebooted and joined the network',
    rhythm: 'On for 3000 ms once, then off',
    steps: [on(3000)],
    mode: 'once',
  },
  error: {
    name: 'error',
    meaning: 'Update failed or image refused',
    rhythm: '3 × (300 ms on, 300 ms off), then 1000 ms off',
    steps: [...times(3, [on(300), off(300)]), off(1000)],
    mode: 'repeat',
  },
  identify: {
    name: 'identify',
    meaning: 'You asked to find this device',
    rhythm: '250 ms on, 250 ms off, 10 s in all',
    steps: [on(250), off(250)],
    mode: 'repeat',
    totalMs: 10_000,
  },
  off: {
    name: 'off',
    meaning: 'Normal operation',
    rhythm: 'Off',
    steps: [off(1000)],
    mode: 'repeat',
  },
};

/** Every pattern, in the table's order. */
export const LED_PATTERN_LIST: readonly LedPattern[] = Object.values(LED_PATTERNS);

/** Length of one period in ms. */
export function periodMs(pattern: LedPattern): number {
  return pattern.steps.reduce((sum, step) => sum + step.ms, 0);
}

/**
 * How long the pattern plays before the LED stays off for good, in ms; Infinity if it loops forever.
 */
export function playMs(pattern: LedPattern): number {
  if (pattern.totalMs !== undefined) return pattern.totalMs;
  return pattern.mode === 'once' ? periodMs(pattern) : Infinity;
}

/**
 * Whether the LED is lit `tMs` milliseconds after the pattern started. Each step covers the
 * half-open interval [start, start + ms). Before the start and after the pattern has ended, the LED is off.
 */
export function ledStateAt(pattern: LedPattern, tMs: number): boolean {
  if (!(tMs >= 0) || tMs >= playMs(pattern)) return false;
  const period = periodMs(pattern);
  if (period <= 0) return false;
  let t = tMs % period;
  for (const step of pattern.steps) {
    if (t < step.ms) return step.on;
    t -= step.ms;
  }
  return false;
}

/** A run of equal LED state inside a time window: where it starts and how long it lasts, in ms. */
export interface LedSegment {
  readonly on: boolean;
  readonly startMs: number;
  readonly ms: number;
}

/**
 * The pattern's first `windowMs` milliseconds as runs of equal state, adjacent equal steps merged:
 * what a static timeline draws when motion is reduced.
 */
export function ledSegments(pattern: LedPattern, windowMs: number): LedSegment[] {
  const segments: LedSegment[] = [];
  const push = (state: boolean, startMs: number, ms: number) => {
    if (ms <= 0) return;
    const last = segments.at(-1);
    if (last && last.on === state) segments[segments.length - 1] = { ...last, ms: last.ms + ms };
    else segments.push({ on: state, startMs, ms });
  };
  const end = Math.min(windowMs, playMs(pattern));
  let t = 0;
  while (t < end && periodMs(pattern) > 0) {
    for (const step of pattern.steps) {
      const ms = Math.min(step.ms, end - t);
      push(step.on, t, ms);
      t += ms;
      if (t >= end) break;
    }
    if (pattern.mode === 'once') break;
  }
  push(false, t, windowMs - t);
  return segments;
}
