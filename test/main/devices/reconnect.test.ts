import { describe, expect, it } from 'vitest';
import { reopenWithBackoff } from '../../../main/devices/reconnect';
import { LinkError, type Link } from '../../../main/links/link';
import { FakeClock } from '../links/fake-clock';

/** A link whose open fails with `errors` in turn, then succeeds; records when it was tried. */
function flakyLink(clock: FakeClock, errors: LinkError[]): Link & { tries: number[] } {
  let open = false;
  const tries: number[] = [];
  return {
    id: 'serial:/dev/ttyX',
    kind: 'serial',
    framing: 'serial',
    maxWrite: Infinity,
    tries,
    get isOpen() {
      return open;
    },
    async open() {
      tries.push(clock.now());
      const err = errors.shift();
      if (err) throw err;
      open = true;
    },
    async close() {
      open = false;
    },
    async write() {},
    onData: () => () => {},
    onClose: () => () => {},
  };
}

const gone = () => new LinkError('not-found', 'gone');

describe('reopenWithBackoff', () => {
  it('retries a missing port with doubling waits up to the cap', async () => {
    const clock = new FakeClock();
    const link = flakyLink(clock, [gone(), gone(), gone(), gone(), gone()]);
    const done = reopenWithBackoff(link, { clock, initialDelayMs: 100, maxDelayMs: 500 });
    await clock.run(done, 50);
    expect(link.isOpen).toBe(true);
    expect(link.tries).toEqual([0, 100, 300, 700, 1200, 1700]);
  });

  it('gives up with link-closed after the timeout', async () => {
    const clock = new FakeClock();
    const link = flakyLink(clock, Array.from({ length: 100 }, gone));
    const done = reopenWithBackoff(link, { clock, initialDelayMs: 100, maxDelayMs: 1000, timeoutMs: 3000 });
    done.catch(() => undefined);
    await clock.run(done, 100).catch(() => undefined);
    await expect(done).rejects.toMatchObject({ kind: 'link-closed' });
    expect(Math.max(...link.tries)).toBeLessThanOrEqual(3000);
  });

  it('stops at once on a permission error: waiting will not fix it', async () => {
    const clock = new FakeClock();
    const link = flakyLink(clock, [new LinkError('permission-denied', 'no')]);
    await expect(reopenWithBackoff(link, { clock })).rejects.toMatchObject({ kind: 'permission-denied' });
    expect(link.tries).toHaveLength(1);
  });
});
