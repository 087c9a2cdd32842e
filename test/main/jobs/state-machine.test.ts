import { describe, expect, it } from 'vitest';
import { assertTransition, canTransition, IllegalTransitionError, isEnd, TRANSITIONS } from '../../../main/jobs/state-machine';
import type { DeviceState } from '../../../main/jobs/types';

const ALL = Object.keys(TRANSITIONS) as DeviceState[];

describe('device state machine', () => {
  it('walks the happy path discovered → … → done', () => {
    const path: DeviceState[] = ['discovered', 'in-update-mode', 'verified', 'transferring', 'installing', 'rejoined', 'done'];
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1] as DeviceState, path[i] as DeviceState)).toBe(true);
  });

  it('never lets a cancel interrupt a device between its test mark/reset and its rejoin', () => {
    expect(canTransition('installing', 'cancelled')).toBe(false);
    for (const s of ['discovered', 'in-update-mode', 'verified', 'transferring', 'rejoined'] as const) expect(canTransition(s, 'cancelled')).toBe(true);
  });

  it('treats done as final and lets failed, rolled-back and cancelled start a new attempt only', () => {
    expect(TRANSITIONS.done).toEqual([]);
    for (const s of ['failed', 'rolled-back', 'cancelled'] as const) expect(TRANSITIONS[s]).toEqual(['discovered']);
    expect(ALL.filter(isEnd).sort()).toEqual(['cancelled', 'done', 'failed', 'rolled-back']);
  });

  it('reaches every state from discovered', () => {
    const seen = new Set<DeviceState>(['discovered']);
    const queue: DeviceState[] = ['discovered'];
    while (queue.length) {
      for (const n of TRANSITIONS[queue.shift() as DeviceState]) {
        if (seen.has(n)) continue;
        seen.add(n);
        queue.push(n);
      }
    }
    expect([...seen].sort()).toEqual([...ALL].sort());
  });

  it('throws a bug error (not a user fault) for a transition the table does not list', () => {
    expect(() => assertTransition('discovered', 'transferring')).toThrow(IllegalTransitionError);
    expect(() => assertTransition('done', 'failed')).toThrow(expect.objectContaining({ kind: 'illegal-transition', userFault: false, from: 'done', to: 'failed' }));
    expect(() => assertTransition('transferring', 'installing')).not.toThrow();
  });
});
