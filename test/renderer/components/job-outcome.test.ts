import { describe, expect, it } from 'vitest';
import { endedCount, firmwareOutcome } from '../../../renderer/src/components/job-view';

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
