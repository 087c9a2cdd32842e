import { createStore } from 'zustand/vanilla';
import type { DeviceSnapshot, ErrorValue, JobProgressEvent, JobSnapshot, JobStartRequest, SiteflashBridge } from '../../../preload/api';

/** Batch jobs as the core reports them, kept current by its events. */
export interface JobsState {
  jobs: JobSnapshot[];
  /** The job the Update and Results screens show. */
  currentId: string | null;
  /** Network jobs started in this session as the first phase of a commissioning. */
  commissions: string[];
  /** What runs now: `start`, or `<verb>:<jobId>[:<deviceKey>]`. */
  busy: string | null;
  error: ErrorValue | null;
  load(): Promise<void>;
  start(request: JobStartRequest): Promise<boolean>;
  /** Shows another job on the Update and Results screens (e.g. a commissioning's other phase). */
  show(jobId: string): void;
  pause(jobId: string, deviceKey?: string): Promise<void>;
  resume(jobId: string, deviceKey?: string): Promise<void>;
  cancel(jobId: string, deviceKey?: string): Promise<void>;
  retryFailed(jobId: string): Promise<void>;
  answerLed(jobId: string, deviceKey: string, seen: boolean): Promise<void>;
  /** Follows the job events; returns the unsubscribe function. */
  watch(): () => void;
  current(): JobSnapshot | null;
}

type Control = 'job:pause' | 'job:resume' | 'job:cancel';

/**
 * The core reports transfer figures only while a device runs; a device that finished keeps the
 * last figures this session saw for the same attempt, so its row does not fall back to "no transfer".
 */
export function keepLastProgress(previous: JobSnapshot | undefined, next: JobSnapshot): JobSnapshot {
  if (!previous) return next;
  const before = new Map(previous.devices.map((d) => [d.key, d]));
  const devices = next.devices.map((d): DeviceSnapshot => {
    const old = before.get(d.key);
    if (d.progress.total > 0 || !old || old.attempt !== d.attempt || old.progress.total === 0) return d;
    const finished = d.state === 'done' || d.state === 'rejoined' || d.state === 'installing';
    return { ...d, progress: { ...old.progress, bytes: finished ? old.progress.total : old.progress.bytes, rate: 0, etaSeconds: finished ? 0 : null } };
  });
  return { ...next, devices };
}

/** Applies a coalesced progress event to a job snapshot, without waiting for the next `job:list`. */
export function applyProgress(job: JobSnapshot, event: JobProgressEvent): JobSnapshot {
  const figures = new Map(event.devices.map((d) => [d.key, d.progress]));
  const devices = job.devices.map((d): DeviceSnapshot => {
    const progress = figures.get(d.key);
    return progress ? { ...d, progress } : d;
  });
  return { ...job, progress: event.job, devices };
}

export function createJobsStore(bridge: () => SiteflashBridge) {
  return createStore<JobsState>()((set, get) => {
    const put = (job: JobSnapshot) => {
      const others = get().jobs.filter((j) => j.id !== job.id);
      const merged = keepLastProgress(get().jobs.find((j) => j.id === job.id), job);
      set({ jobs: [merged, ...others].sort((a, b) => b.createdAt - a.createdAt) });
    };
    const mapJob = (jobId: string, fn: (job: JobSnapshot) => JobSnapshot) => {
      const jobs = get().jobs;
      if (!jobs.some((j) => j.id === jobId)) return false;
      set({ jobs: jobs.map((j) => (j.id === jobId ? fn(j) : j)) });
      return true;
    };
    const control = async (channel: Control, jobId: string, deviceKey?: string) => {
      set({ busy: `${channel}:${jobId}${deviceKey ? `:${deviceKey}` : ''}`, error: null });
      const result = await bridge().invoke(channel, deviceKey === undefined ? { jobId } : { jobId, deviceKey });
      if (result.ok) put(result.value);
      set({ busy: null, error: result.ok ? null : result.error });
    };
    // State events can come in bursts (a whole wave of devices); one list request answers them all.
    let refetch: Promise<void> | null = null;
    let again = false;
    const reload = () => {
      if (refetch) {
        again = true;
        return;
      }
      refetch = get()
        .load()
        .finally(() => {
          refetch = null;
          if (again) {
            again = false;
            reload();
          }
        });
    };
    return {
      jobs: [],
      currentId: null,
      commissions: [],
      busy: null,
      error: null,
      async load() {
        const result = await bridge().invoke('job:list', {});
        if (!result.ok) return set({ error: result.error });
        const currentId = get().currentId ?? result.value[0]?.id ?? null;
        const before = new Map(get().jobs.map((j) => [j.id, j]));
        set({ jobs: result.value.map((j) => keepLastProgress(before.get(j.id), j)), currentId });
      },
      async start(request) {
        set({ busy: 'start', error: null });
        const result = await bridge().invoke('job:start', request);
        if (result.ok) {
          put(result.value);
          const commissions = request.kind === 'commission' ? [...get().commissions, result.value.id] : get().commissions;
          set({ currentId: result.value.id, busy: null, commissions });
        } else set({ busy: null, error: result.error });
        return result.ok;
      },
      show(jobId) {
        if (get().jobs.some((j) => j.id === jobId)) set({ currentId: jobId });
      },
      pause: (jobId, deviceKey) => control('job:pause', jobId, deviceKey),
      resume: (jobId, deviceKey) => control('job:resume', jobId, deviceKey),
      cancel: (jobId, deviceKey) => control('job:cancel', jobId, deviceKey),
      async retryFailed(jobId) {
        set({ busy: `job:retry-failed:${jobId}`, error: null });
        const result = await bridge().invoke('job:retry-failed', { jobId });
        if (result.ok) put(result.value);
        set({ busy: null, error: result.ok ? null : result.error });
      },
      async answerLed(jobId, deviceKey, seen) {
        // The prompt goes away at once; the engine's answer brings the next state.
        mapJob(jobId, (job) => ({ ...job, devices: job.devices.map((d) => (d.key === deviceKey ? { ...d, ledPrompt: null } : d)) }));
        const result = await bridge().invoke('job:answer-led', { jobId, deviceKey, seen });
        if (result.ok) put(result.value);
        else set({ error: result.error });
      },
      watch() {
        const offs = [
          bridge().on('job:progress', (event) => {
            mapJob(event.jobId, (job) => applyProgress(job, event));
          }),
          bridge().on('job:device-state', (event) => {
            mapJob(event.jobId, (job) => ({
              ...job,
              devices: job.devices.map((d) =>
                d.key === event.deviceKey ? { ...d, state: event.to, reason: event.reason, reasonKind: event.reasonKind } : d,
              ),
            }));
            reload();
          }),
          bridge().on('job:led-prompt', (prompt) => {
            const known = mapJob(prompt.jobId, (job) => ({
              ...job,
              devices: job.devices.map((d) => (d.key === prompt.deviceKey ? { ...d, ledPrompt: prompt } : d)),
            }));
            if (!known) reload();
          }),
          bridge().on('job:state', (event) => {
            // A job stopped by a storage fault says why at once, even when the journal cannot be read back.
            mapJob(event.jobId, ({ halted: _, ...job }) => ({ ...job, state: event.state, ...(event.halted ? { halted: event.halted } : {}) }));
            reload();
          }),
        ];
        return () => offs.forEach((off) => off());
      },
      current() {
        const { jobs, currentId } = get();
        return jobs.find((j) => j.id === currentId) ?? null;
      },
    };
  });
}
