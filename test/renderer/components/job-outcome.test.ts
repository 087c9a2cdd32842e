import { describe, expect, it } from 'vitest';
import { endedCount, firmwareOutcome, overallDetail, summarize } from '../../../renderer/src/components/job-view';

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

describe('the words under the job bar', () => {
  const figures = (bytes: number, total: number, rate: number) => ({ bytes, total, rate, etaSeconds: rate > 0 ? (total - bytes) / rate : null });
  const device = (state: string, progress = figures(0, 0, 0)) => ({ state, progress }) as unknown as Parameters<typeof overallDetail>[0]['devices'][number];

  it('gives no time left while devices still wait to start: it would read as the whole job\'s', () => {
    // Six direct devices transferring while three gateways' own updates hold 200 devices back.
    const devices = [device('transferring', figures(4000, 5600, 6000)), device('cancelled'), device('discovered'), device('discovered')];
    const job = { devices, progress: figures(4000, 5600, 6000) };
    expect(overallDetail(job)).toBe('1 of 4 devices finished · 4 kB of 5.6 kB started · 6 kB/s · 2 not started yet');
  });

  it('gives the time left once every device not ended is transferring', () => {
    const devices = [device('transferring', figures(1000, 4000, 1000)), device('done', figures(4000, 4000, 0))];
    expect(overallDetail({ devices, progress: figures(1000, 4000, 1000) })).toBe('1 of 2 devices finished · 1 kB of 4 kB started · 1 kB/s · 3 s left');
  });

  it('says what was sent once all ended, failures counted, and when nothing started yet', () => {
    const ended = [device('done', figures(4000, 4000, 0)), device('failed', figures(100, 4000, 0))];
    expect(overallDetail({ devices: ended, progress: figures(0, 0, 0) })).toBe('2 of 2 devices finished (1 failed) · 4.1 kB sent');
    expect(overallDetail({ devices: [device('discovered')], progress: figures(0, 0, 0) })).toBe('0 of 1 devices finished · no transfer started yet');
  });
});
