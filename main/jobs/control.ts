import { cancelled } from '../devices/errors';

/**
 * Pause, cancel and shutdown of one device's run. `signal` aborts the current step when the
 * device is paused or cancelled; `hardSignal` only when the service shuts down, and is what the
 * install phase uses, so that nothing interrupts a device between its test mark/reset and rejoin.
 */
export class DeviceControl {
  paused: boolean;
  cancelRequested = false;
  shuttingDown = false;
  private work = new AbortController();
  private readonly hard = new AbortController();
  private wakers: (() => void)[] = [];

  constructor(paused = false) {
    this.paused = paused;
  }

  get signal(): AbortSignal {
    return this.work.signal;
  }

  get hardSignal(): AbortSignal {
    return this.hard.signal;
  }

  /** A fresh work signal for the next step (after a pause ended). */
  renew(): void {
    if (this.work.signal.aborted && !this.cancelRequested && !this.shuttingDown) this.work = new AbortController();
  }

  pause(): void {
    this.paused = true;
    this.work.abort(cancelled());
  }

  resume(): void {
    this.paused = false;
    this.wake();
  }

  cancel(): void {
    this.cancelRequested = true;
    this.work.abort(cancelled());
    this.wake();
  }

  /** Stops everything now, the install phase included (the journal keeps where it was). */
  shutdown(): void {
    this.shuttingDown = true;
    this.work.abort(cancelled());
    this.hard.abort(cancelled());
    this.wake();
  }

  /** Resolves once the device is resumed, cancelled or shut down. */
  whilePaused(): Promise<void> {
    if (!this.paused || this.cancelRequested || this.shuttingDown) return Promise.resolve();
    return new Promise((resolve) => this.wakers.push(resolve));
  }

  private wake(): void {
    const w = this.wakers;
    this.wakers = [];
    for (const f of w) f();
  }
}
