import { describe, expect, it } from 'vitest';
import { ProgressCoalescer, sumFigures } from '../../../main/jobs/progress';
import type { JobProgressEvent } from '../../../main/jobs/types';
import { ManualClock } from '../../../main/sim/manual-clock';

describe('progress coalescing', () => {
  it('sends at most 10 events a second per job however many devices report', () => {
    const clock = new ManualClock();
    const events: { at: number; e: JobProgressEvent }[] = [];
    const p = new ProgressCoalescer('job', clock, (e) => events.push({ at: clock.now(), e }));
    for (let ms = 0; ms < 3000; ms++) {
      for (let d = 0; d < 50; d++) p.update(`dev${d}`, ms * 10, 30_000, 10_000);
      clock.advance(1);
    }
    clock.advance(200);
    expect(events.length).toBeGreaterThanOrEqual(29);
    expect(events.length).toBeLessThanOrEqual(31);
    for (let i = 1; i < events.length; i++) expect((events[i] as { at: number }).at - (events[i - 1] as { at: number }).at).toBeGreaterThanOrEqual(100);
    const last = events.at(-1)?.e;
    expect(last?.devices).toHaveLength(50);
    expect(last?.job).toEqual({ bytes: 50 * 29_990, total: 50 * 30_000, rate: 500_000, etaSeconds: (50 * 10) / 500_000 });
  });

  it('sends the first update at once and nothing while no device reports', () => {
    const clock = new ManualClock();
    const events: JobProgressEvent[] = [];
    const p = new ProgressCoalescer('job', clock, (e) => events.push(e));
    p.update('a', 1, 10, 1);
    clock.advance(0);
    expect(events).toHaveLength(1);
    clock.advance(5000);
    expect(events).toHaveLength(1);
    p.idle('a');
    clock.advance(100);
    expect(events.at(-1)?.devices[0]?.progress).toEqual({ bytes: 1, total: 10, rate: 0, etaSeconds: null });
  });

  it('adds bytes, totals and rates across devices and derives the ETA from the sums', () => {
    expect(sumFigures([
      { bytes: 100, total: 1000, rate: 100, etaSeconds: 9 },
      { bytes: 500, total: 1000, rate: 0, etaSeconds: null },
    ])).toEqual({ bytes: 600, total: 2000, rate: 100, etaSeconds: 14 });
    expect(sumFigures([]).etaSeconds).toBeNull();
  });
});
