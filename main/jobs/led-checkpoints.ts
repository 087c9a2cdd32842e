import { cancelled } from '../devices/errors';
import type { LedPrompt } from './types';

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
