import { cancelled } from '../devices/errors';
import type { JobTarget, LedAnswer, LedPrompt } from './types';

interface Waiting {
  prompt: LedPrompt;
  resolve(seen: boolean): void;
}

const keyOf = (jobId: string, deviceKey: string) => `${jobId}\u0000${deviceKey}`;

/**
 * LED questions waiting for the technician, one per device at most. Each device waits on its own
 * promise, so a question nobody has answered yet never holds back another device.
 */
export class LedCheckpoints {
  private readonly waiting = new Map<string, Waiting>();

  constructor(private readonly onPrompt: (prompt: LedPrompt) => void) {}

  /** Asks and waits for the answer (true: the technician saw the pattern); rejects as cancelled on abort. */
  ask(prompt: LedPrompt, signal: AbortSignal): Promise<boolean> {
    const k = keyOf(prompt.jobId, prompt.deviceKey);
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(cancelled());
      const onAbort = () => {
        if (this.waiting.get(k)?.prompt === prompt) this.waiting.delete(k);
        reject(cancelled());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(k, {
        prompt,
        resolve: (seen) => {
          signal.removeEventListener('abort', onAbort);
          resolve(seen);
        },
      });
      this.onPrompt(prompt);
    });
  }

  /** Answers the device's question; false when none is waiting. */
  answer(jobId: string, deviceKey: string, seen: boolean): boolean {
    const k = keyOf(jobId, deviceKey);
    const w = this.waiting.get(k);
    if (!w) return false;
    this.waiting.delete(k);
    w.resolve(seen);
    return true;
  }

  /** The question a device waits on, if any. */
  pending(jobId: string, deviceKey: string): LedPrompt | null {
    return this.waiting.get(keyOf(jobId, deviceKey))?.prompt ?? null;
  }

  /** Every open question. */
  all(): LedPrompt[] {
    return [...this.waiting.values()].map((w) => w.prompt);
  }
}

/** The question shown for a pattern. */
export function ledQuestion(pattern: LedPrompt['pattern'], deviceKey: string): string {
  return pattern === 'update-mode'
    ? `Does the device on ${deviceKey} show the update-mode LED pattern?`
    : `Does the device on ${deviceKey} show the joined LED pattern after its restart?`;
}

/** A device leaves manual update mode after this long without traffic (field-group.md "Manual update mode"). */
export const UPDATE_MODE_IDLE_MS = 10 * 60_000;

/**
 * The update-mode answer the technician gave before the job (Collect), when it still holds: only
 * on a device's first attempt (a retry follows a failure, after which the device may have left
 * update mode), and only while it is younger than update mode lasts; null: ask again.
 */
export function answeredBefore(target: JobTarget, attempt: number, now: number): LedAnswer | null {
  const led = target.updateModeLed;
  if (!led || attempt !== 1) return null;
  const age = now - led.at;
  // A time ahead of the engine's clock cannot be placed, so it is not trusted either.
  if (age < 0 || age > UPDATE_MODE_IDLE_MS) return null;
  return { pattern: 'update-mode', seen: led.seen, at: led.at };
}
