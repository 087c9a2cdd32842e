import type { JobSnapshot, Result } from '../../../preload/api';
import type { Core } from '../../../main/core';

/** The value of a contract result; a failure throws with its kind and message. */
export function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`${r.error.kind}: ${r.error.message}`);
  return r.value;
}

/** Resolves with the job once it is neither running nor paused (driven by the core's own events). */
export function settled(core: Core, jobId: string): Promise<JobSnapshot> {
  return new Promise((resolve) => {
    const check = async () => {
      const job = value(await core.invoke('job:list', {})).find((j) => j.id === jobId);
      if (job && job.state !== 'running' && job.state !== 'paused') {
        off();
        resolve(job);
      }
    };
    const off = core.on('job:state', (e) => e.jobId === jobId && void check());
    void check();
  });
}
