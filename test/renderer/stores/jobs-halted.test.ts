import { describe, expect, it } from 'vitest';
import type { JobSnapshot } from '../../../preload/api';
import { createJobsStore } from '../../../renderer/src/stores/jobs-store';
import { fakeBridge } from './fake-bridge';

const job: JobSnapshot = {
  id: 'j1',
  kind: 'firmware',
  release: 'r1',
  state: 'running',
  createdAt: 0,
  devices: [],
  progress: { bytes: 0, total: 0, rate: 0, etaSeconds: null },
  counts: {},
} as unknown as JobSnapshot;

const fault = { kind: 'storage-full', message: 'Disk full: /data/siteflash.db. Free some space on that disk, then resume the job.', userFault: true };

describe('jobs store: a job stopped by a storage fault', () => {
  it('keeps the reason from the job:state event even when the journal cannot be read back, and resume asks the core', async () => {
    let listOk = true;
    const fake = fakeBridge({
      'job:list': () => (listOk ? { ok: true, value: [job] } : { ok: false, error: { kind: 'storage-corrupt', message: 'cannot read', userFault: false } }),
      'job:resume': () => ({ ok: true, value: job }),
    });
    const store = createJobsStore(fake.bridge);
    await store.getState().load();
    const off = store.getState().watch();
    listOk = false;
    fake.emit('job:state', { jobId: 'j1', state: 'running', halted: fault });
    await new Promise((r) => setTimeout(r, 0));
    expect(store.getState().current()?.halted).toEqual(fault);
    // A later state event without a fault (resumed) clears it.
    fake.emit('job:state', { jobId: 'j1', state: 'running' });
    expect(store.getState().current()?.halted).toBeUndefined();
    await store.getState().resume('j1');
    expect(fake.calls.filter((c) => c.channel === 'job:resume')).toEqual([{ channel: 'job:resume', args: { jobId: 'j1' } }]);
    off();
  });
});
