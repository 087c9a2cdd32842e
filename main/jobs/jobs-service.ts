import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { NetKeySource } from '../commission/net-key';
import { checkNetworkSettings } from '../commission/net-settings';
import { networkCounts } from '../commission/network-counts';
import { systemClock, type Clock } from '../links/clock';
import { Listeners } from '../links/listeners';
import type { AuditEntry, HistoryFilter } from '../store/audit';
import type { Db } from '../store/db-type';
import { JobJournal } from '../store/journal';
import { StorageFault, storageFaultOf } from '../store/storage-fault';
import { DeviceControl } from './control';
import { auditCsv } from './csv';
import { runDevice } from './device-runner';
import type { DeviceDriver } from './driver';
import { JobError } from './errors';
import { udpLinkId } from '../links/udp-link';
import { JobImages, openComponentFile, type ImageOpener } from './job-images';
import { LedCheckpoints } from './led-checkpoints';
import { ProgressCoalescer } from './progress';
import { LinkScheduler, type SchedulerLimits } from './scheduler';
import { snapshotOf } from './snapshot';
import { isEnd } from './state-machine';
import type { JobSnapshot, JobSpec, JobsEvents, JobTarget, TargetLink } from './types';

/** What a {@link JobsService} is built from; everything outside is injected. */
export interface JobsServiceOptions {
  db: Db;
  driver: DeviceDriver;
  /** Opens image files (default: read by position from `component.path`). */
  openImage?: ImageOpener;
  /** Monotonic clock for backoff, timeouts and progress pacing. */
  clock?: Clock;
  /** Epoch ms for the journal and audit log. */
  wallNow?: () => number;
  /** Uniform [0, 1) for backoff jitter. */
  rng?: () => number;
  limits?: SchedulerLimits;
  newId?: () => string;
  /** Network jobs: where the project's network key comes from (main/commission `keychainNetKeys`). */
  netKey?: NetKeySource;
  /**
   * Takes the lock of a job before it runs (main/store `lockJob`), so two processes never run one
   * job; throws (`job-locked`, naming the holder) when another process holds it. None: no locking.
   */
  lockJob?: (jobId: string) => { release(): void };
}

interface LiveJob {
  images: JobImages;
  progress: ProgressCoalescer;
  devices: Map<string, { control: DeviceControl; run: Promise<void> | undefined }>;
  settled: Promise<void>;
  lock: { release(): void } | null;
}

/** The key of a device in a job: its link id. */
export function deviceKeyOf(link: TargetLink): string {
  switch (link.kind) {
    case 'serial':
      return `serial:${link.path}`;
    case 'hid':
      return `hid:${link.path}`;
    case 'ble':
      return `ble:${link.address}`;
    case 'loopback':
      return `loopback:${link.name}`;
    case 'udp':
      return udpLinkId(link.host, link.port);
  }
}

/**
 * The batch update engine's facade: starts jobs, runs one state machine per device over the
 * driver, journals every transition before it is shown, resumes unfinished jobs, and answers
 * history queries. IPC, the browser host and the CLI adapt this class; its results and events are
 * plain JSON-serialisable data.
 */
export class JobsService {
  readonly journal: JobJournal;
  private readonly clock: Clock;
  private readonly wallNow: () => number;
  private readonly rng: () => number;
  private readonly scheduler: LinkScheduler;
  private readonly leds: LedCheckpoints;
  private readonly live = new Map<string, LiveJob>();
  /** Jobs stopped because the journal could not be written, with the reason; cleared on resume. */
  private readonly halted = new Map<string, StorageFault>();
  private readonly dbPath: string;
  private readonly listeners: { [E in keyof JobsEvents]: Listeners<JobsEvents[E]> } = {
    'job:progress': new Listeners(),
    'job:device-state': new Listeners(),
    'job:led-prompt': new Listeners(),
    'job:state': new Listeners(),
  };

  constructor(private readonly o: JobsServiceOptions) {
    this.clock = o.clock ?? systemClock;
    this.wallNow = o.wallNow ?? Date.now;
    this.rng = o.rng ?? Math.random;
    this.journal = new JobJournal(o.db, this.wallNow);
    this.dbPath = o.db.name;
    this.scheduler = new LinkScheduler(o.limits ?? { ble: 3 });
    this.leds = new LedCheckpoints((p) => this.listeners['job:led-prompt'].emit(p));
  }

  /** Subscribes to an event stream; returns the unsubscribe function. */
  on<E extends keyof JobsEvents>(event: E, listener: (value: JobsEvents[E]) => void): () => void {
    return this.listeners[event].add(listener);
  }

  /** Records a new job (committed before this returns) and starts its devices. */
  start(spec: JobSpec): string {
    validate(spec);
    const id = this.o.newId?.() ?? randomUUID();
    const devices = spec.targets.map((t) => ({ key: deviceKeyOf(t.link), link: deviceKeyOf(t.link) }));
    const lock = this.o.lockJob?.(id) ?? null;
    try {
      this.storage(() => this.journal.createJob(id, spec, devices));
    } catch (err) {
      lock?.release();
      throw err;
    }
    this.launch(id, lock);
    return id;
  }

  /**
   * Picks up every job a crash, a quit or a storage fault left running or paused; returns their ids.
   * A job another process runs (its lock is held) is left to it; so is one whose resume cannot be
   * journaled; `onRefused` hears of each. When nothing could be resumed, the first reason is thrown.
   */
  resumeUnfinished(onRefused?: (jobId: string, err: unknown) => void): string[] {
    const ids = this.storage(() => this.journal.unfinished()).map((j) => j.id).filter((id) => !this.live.has(id));
    const resumed: string[] = [];
    const refused: unknown[] = [];
    for (const id of ids) {
      try {
        this.relaunch(id);
        resumed.push(id);
      } catch (err) {
        refused.push(err);
        onRefused?.(id, err);
      }
    }
    if (resumed.length === 0 && refused.length > 0) throw refused[0];
    return resumed;
  }

  /** Why a job stopped on a storage fault (null when it did not); it resumes with {@link resume}. */
  haltedBy(jobId: string): StorageFault | null {
    return this.halted.get(jobId) ?? null;
  }

  /** Pauses a job, or one device. A device that is installing pauses once it rejoined. */
  pause(jobId: string, deviceKey?: string): void {
    const job = this.mustLive(jobId);
    for (const [key, d] of this.select(job, deviceKey)) {
      if (d.control.paused || isEnd(this.mustDevice(jobId, key).state)) continue;
      this.storage(() => this.journal.record(jobId, key, 'pause', {}, { paused: true }));
      d.control.pause();
    }
    if (deviceKey === undefined) this.setJobState(jobId, 'paused');
  }

  /** Resumes a paused job, or one device; a job stopped by a storage fault goes on from its journal. */
  resume(jobId: string, deviceKey?: string): void {
    if (!this.live.has(jobId) && this.halted.has(jobId)) return this.relaunch(jobId);
    const job = this.mustLive(jobId);
    for (const [key, d] of this.select(job, deviceKey)) {
      if (!d.control.paused) continue;
      this.storage(() => this.journal.record(jobId, key, 'resume', {}, { paused: false }));
      d.control.resume();
    }
    if (this.journal.job(jobId)?.state === 'paused') this.setJobState(jobId, 'running');
  }

  /** Cancels a job, or one device. A device that is installing finishes its install first. */
  cancel(jobId: string, deviceKey?: string): void {
    const job = this.mustLive(jobId);
    for (const [key, d] of this.select(job, deviceKey)) {
      if (isEnd(this.mustDevice(jobId, key).state)) continue;
      this.storage(() => this.journal.record(jobId, key, 'cancel-requested', {}));
      d.control.cancel();
    }
  }

  /** The technician's answer to a device's LED question; false when it was not asking. */
  answerLed(jobId: string, deviceKey: string, seen: boolean): boolean {
    return this.leds.answer(jobId, deviceKey, seen);
  }

  /** Starts another attempt for every failed or rolled-back device; returns how many. */
  retryFailed(jobId: string): number {
    const row = this.journal.job(jobId);
    if (!row) throw new JobError('job-not-found', `There is no job ${jobId}.`);
    const again = this.journal.devices(jobId).filter((d) => d.state === 'failed' || d.state === 'rolled-back');
    if (again.length === 0) return 0;
    for (const d of again) {
      const { seq, from } = this.storage(() => this.journal.transition(jobId, d.key, 'discovered', {}, { retry: 'requested' }));
      this.listeners['job:device-state'].emit({ jobId, deviceKey: d.key, from, to: 'discovered', reason: null, reasonKind: null, seq });
    }
    if (row.state !== 'running') this.setJobState(jobId, 'running');
    const live = this.live.get(jobId);
    if (live) for (const d of again) this.startDevice(jobId, live, d.key);
    else this.launch(jobId);
    return again.length;
  }

  /** Every job, newest first. */
  list(): JobSnapshot[] {
    return this.journal.jobs().map((j) => this.get(j.id));
  }

  /** One job now. */
  get(jobId: string): JobSnapshot {
    const job = this.journal.job(jobId);
    if (!job) throw new JobError('job-not-found', `There is no job ${jobId}.`);
    const live = this.live.get(jobId);
    const snapshot = snapshotOf(job, this.journal.devices(jobId), {
      progress: (key) => live?.progress.of(key),
      ledPrompt: (key) => this.leds.pending(jobId, key),
    });
    const halted = this.halted.get(jobId);
    if (halted) snapshot.halted = halted.toValue();
    if (job.spec.kind === 'network' && job.spec.network) snapshot.network = networkCounts(job.spec.network.panId, snapshot.devices.map((d) => d.key), this.journal.events(jobId));
    return snapshot;
  }

  /** Resolves once every device of the job reached an end (or the service closed). */
  async whenSettled(jobId: string): Promise<JobSnapshot> {
    await this.live.get(jobId)?.settled;
    return this.get(jobId);
  }

  /** Audit rows, newest first. */
  history(filter: HistoryFilter = {}): AuditEntry[] {
    return this.journal.audit.history(filter);
  }

  /** Writes the matching history as CSV to `path`; returns the number of rows. */
  async exportCsv(filter: HistoryFilter, path: string): Promise<number> {
    const rows = this.history(filter);
    await writeFile(path, auditCsv(rows), 'utf8');
    return rows.length;
  }

  /** Stops every run where it is (the journal keeps the place for {@link resumeUnfinished}). */
  async close(): Promise<void> {
    const jobs = [...this.live.values()];
    for (const job of jobs) for (const d of job.devices.values()) d.control.shutdown();
    await Promise.all(jobs.map((j) => j.settled));
  }

  /** Locks and journals the resume of a job that is not running here, then runs it. */
  private relaunch(jobId: string): void {
    const lock = this.o.lockJob?.(jobId) ?? null;
    try {
      this.storage(() => this.journal.record(jobId, null, 'job-resumed', {}));
    } catch (err) {
      lock?.release();
      throw err;
    }
    this.halted.delete(jobId);
    this.launch(jobId, lock);
  }

  private launch(jobId: string, lock: { release(): void } | null = null): void {
    const live: LiveJob = {
      images: new JobImages(this.o.openImage ?? openComponentFile),
      progress: new ProgressCoalescer(jobId, this.clock, (e) => this.listeners['job:progress'].emit(e)),
      devices: new Map(),
      settled: Promise.resolve(),
      lock,
    };
    this.live.set(jobId, live);
    for (const d of this.journal.devices(jobId)) {
      live.devices.set(d.key, { control: new DeviceControl(d.paused), run: undefined });
      if (!isEnd(d.state)) this.startDevice(jobId, live, d.key);
    }
    this.settle(jobId, live);
  }

  private startDevice(jobId: string, live: LiveJob, key: string): void {
    const spec = this.journal.job(jobId)?.spec;
    const target = spec?.targets.find((t) => deviceKeyOf(t.link) === key);
    if (!spec || !target) return;
    const old = live.devices.get(key);
    const control = old && !old.control.cancelRequested && !old.control.shuttingDown ? old.control : new DeviceControl();
    const run = this.firstOf(jobId, live, target).then((driver) => runDevice({
      jobId,
      key,
      target,
      spec,
      journal: this.journal,
      driver,
      scheduler: this.scheduler,
      leds: this.leds,
      progress: live.progress,
      images: live.images,
      clock: this.clock,
      rng: this.rng,
      control,
      wallNow: this.wallNow,
      emit: (e) => this.listeners['job:device-state'].emit(e),
      ...(this.o.netKey ? { netKey: this.o.netKey } : {}),
    })).catch((err: unknown) => {
      const fault = storageFaultOf(err, this.dbPath);
      if (fault) return this.halt(jobId, fault);
      // A bug (e.g. an illegal transition) must not leave the device silently stuck.
      const message = err instanceof Error ? err.message : String(err);
      try {
        this.journal.record(jobId, key, 'internal-error', { message });
      } catch (e) {
        this.halt(jobId, storageFaultOf(e, this.dbPath) ?? new StorageFault('storage-io', `The journal ${this.dbPath} could not record an internal error: ${String(e)}`, this.dbPath, 'unknown'));
      }
    });
    live.devices.set(key, { control, run });
    this.settle(jobId, live);
  }

  /**
   * The driver for a target once the target it waits for (`after`: its gateway's own firmware)
   * ended: the job's driver when that one ended done, else one that refuses at once, so that the
   * device fails with the reason and nothing is sent to it.
   */
  private async firstOf(jobId: string, live: LiveJob, target: JobTarget): Promise<DeviceDriver> {
    if (!target.after) return this.o.driver;
    await live.devices.get(target.after)?.run;
    const first = this.journal.device(jobId, target.after);
    if (first?.state === 'done') return this.o.driver;
    const what = first ? `${first.deviceId ?? target.after} ended ${first.state}${first.reason ? ` (${first.reason})` : ''}` : `${target.after} is not part of the job`;
    const refusal = new JobError('gateway-not-updated', `The gateway's own firmware goes first and it was not updated: ${what}. Nothing was sent to this device; retry once the gateway is updated.`);
    return { name: 'refused', connect: () => Promise.reject(refusal) };
  }

  /** Re-derives the job's "all devices ended" promise, and finishes the job once it resolves. */
  private settle(jobId: string, live: LiveJob): void {
    const runs = [...live.devices.values()].map((d) => d.run);
    const settled: Promise<void> = Promise.all(runs).then((): Promise<void> | undefined => {
      if (live.settled !== settled) return live.settled;
      const shutdown = [...live.devices.values()].some((d) => d.control.shuttingDown);
      live.progress.dispose();
      void live.images.close();
      this.live.delete(jobId);
      live.lock?.release();
      // Shut down (quit, storage fault): the journal keeps the place; it may already be closed.
      if (shutdown) return;
      try {
        const devices = this.journal.devices(jobId);
        if (!devices.every((d) => isEnd(d.state))) return;
        const anyCancel = devices.some((d) => d.state === 'cancelled');
        const allCancel = devices.every((d) => d.state === 'cancelled' || d.state === 'done');
        this.setJobState(jobId, anyCancel && allCancel ? 'cancelled' : 'finished');
      } catch (err) {
        // The job's end could not be journaled: it stays unfinished there and ends on resume.
        const fault = storageFaultOf(err, this.dbPath);
        if (!fault) throw err;
        this.halt(jobId, fault);
      }
    });
    live.settled = settled;
  }

  /**
   * Stops a job whose journal could not be written: every device stops where it is (the journal
   * keeps the last committed step of each), the reason is kept for the snapshot, and a `job:state`
   * event carries it. Nothing already written is touched; {@link resume} goes on from there.
   */
  private halt(jobId: string, fault: StorageFault): void {
    if (this.halted.has(jobId)) return;
    this.halted.set(jobId, fault);
    const live = this.live.get(jobId);
    if (live) for (const d of live.devices.values()) d.control.shutdown();
    let state: JobSnapshot['state'] = 'running';
    try {
      state = this.journal.job(jobId)?.state ?? state;
    } catch {
      // a damaged database may not even answer reads; the event still goes out
    }
    this.listeners['job:state'].emit({ jobId, state, halted: fault.toValue() });
  }

  /** Runs a journal call, turning the disk's refusals into a {@link StorageFault} naming the database. */
  private storage<T>(write: () => T): T {
    try {
      return write();
    } catch (err) {
      throw storageFaultOf(err, this.dbPath) ?? err;
    }
  }

  private setJobState(jobId: string, state: JobSnapshot['state']): void {
    if (this.journal.job(jobId)?.state === state) return;
    this.storage(() => this.journal.setJobState(jobId, state));
    this.listeners['job:state'].emit({ jobId, state });
  }

  private mustLive(jobId: string): LiveJob {
    const live = this.live.get(jobId);
    if (live) return live;
    if (!this.journal.job(jobId)) throw new JobError('job-not-found', `There is no job ${jobId}.`);
    throw new JobError('job-invalid', `Job ${jobId} is not running; every device already ended.`);
  }

  private mustDevice(jobId: string, key: string) {
    const d = this.journal.device(jobId, key);
    if (!d) throw new JobError('job-device-not-found', `Job ${jobId} has no device ${key}.`);
    return d;
  }

  private select(job: LiveJob, deviceKey: string | undefined) {
    if (deviceKey === undefined) return [...job.devices];
    const d = job.devices.get(deviceKey);
    if (!d) throw new JobError('job-device-not-found', `The job has no device ${deviceKey}.`);
    return [[deviceKey, d] as const];
  }
}

function validate(spec: JobSpec): void {
  const bad = (m: string) => new JobError('job-invalid', m);
  if (!spec.technician.trim()) throw bad('A job needs the technician\'s name for the audit log.');
  if (spec.targets.length === 0) throw bad('A job needs at least one device.');
  if (spec.kind === 'network') {
    if (!spec.network) throw bad('A network job needs the network settings.');
    // The spec is journaled as given: anything beyond these (a key pasted in by mistake) must not reach the database.
    if (Object.keys(spec.network).some((k) => !['projectId', 'panId', 'channel', 'security'].includes(k))) throw bad('Network settings hold only projectId, panId, channel and security; the key comes from the keychain.');
    checkNetworkSettings(spec.network);
  } else if (spec.release.components.length === 0) throw bad('A job needs an image.');
  if (!Number.isInteger(spec.policy.retries) || spec.policy.retries < 0) throw bad('Retries must be a whole number, 0 or more.');
  const keys = spec.targets.map((t) => deviceKeyOf(t.link));
  const dup = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dup) throw bad(`The device on ${dup} is listed twice.`);
}
