import { describe, expect, it } from 'vitest';
import { endedCount, firmwareOutcome, summarize } from '../../../renderer/src/components/job-view';

const done = { state: 'done' as const, reasonKind: null };
const upToDate = { state: 'done' as const, reasonKind: 'already-up-to-date' };
const failed = { state: 'failed' as const, reasonKind: 'timeout' };
const sending = { state: 'transferring' as const, reasonKind: null };
const waiting = { state: 'discovered' as const, reasonKind: null };

describe('what a batch says it did', () => {
  it('says "already up to date (n)" for a batch where nothing needed sending, never "n of n updated"', () => {
    expect(firmwareOutcome([upToDate, upToDate, upToDate, upToDate])).toBe('already up to date (4)');
  });

  it('counts updated and already up to date devices apart', () => {
    expect(firmwareOutcome([done, upToDate, failed])).toBe('1 of 3 updated, already up to date (1)');
    expect(firmwareOutcome([done, done])).toBe('2 of 2 updated');
  });

  it('counts every device that ended, failed ones included, out of all devices from the start', () => {
    expect(endedCount([done, failed, sending, waiting])).toBe(2);
  });
});

describe('the per-board summary', () => {
  it('counts devices that already ran the release apart from those updated', () => {
    const device = (state: 'done' | 'failed', reasonKind: string | null) => ({ key: 'k', link: 'serial:/dev/x', state, reason: null, reasonKind, deviceId: null, board: 'b', fromVersion: '1.0.0', toVersion: '1.1.0', paused: false, retries: 0, attempt: 1, progress: { bytes: 0, total: 0, rate: 0, etaSeconds: null }, ledPrompt: null, ledAnswers: [] });
    const job = { devices: [device('done', 'already-up-to-date'), device('done', null), device('done', 'already-up-to-date')] } as unknown as Parameters<typeof summarize>[0];
    expect(summarize(job)).toEqual([{ board: 'b', version: '1.1.0', done: 1, upToDate: 2, failed: 0, other: 0 }]);
  });
});
