import { describe, expect, it } from 'vitest';
import type { LinkCloseReason } from '../../../main/links/link';
import { createLoopbackPair } from '../../../main/links/loopback-link';
import { FakeClock, settle } from './fake-clock';

describe('loopback link pair', () => {
  it('delivers each write to the other end as one unit, in order', async () => {
    const [a, b] = createLoopbackPair({ framing: 'raw' });
    expect(a.framing).toBe('raw');
    expect(a.kind).toBe('loopback');
    await a.open();
    await b.open();
    const got: number[][] = [];
    b.onData((d) => got.push([...d]));
    await a.write(Uint8Array.of(1, 2));
    await a.write(Uint8Array.of(3));
    await settle();
    expect(got).toEqual([[1, 2], [3]]);
  });

  it('copies written bytes, so a caller may reuse its buffer', async () => {
    const [a, b] = createLoopbackPair({ framing: 'serial' });
    await a.open();
    await b.open();
    const got: number[][] = [];
    b.onData((d) => got.push([...d]));
    const buf = Uint8Array.of(7);
    await a.write(buf);
    buf[0] = 0;
    await settle();
    expect(got).toEqual([[7]]);
  });

  it('throttles to the byte rate on the injected clock', async () => {
    const clock = new FakeClock();
    const [a, b] = createLoopbackPair({ framing: 'serial', bytesPerSecond: 1000, clock });
    await a.open();
    await b.open();
    let received = 0;
    b.onData((d) => (received += d.length));
    const first = a.write(new Uint8Array(100));
    const second = a.write(new Uint8Array(100));
    await clock.advance(99);
    expect(received).toBe(0);
    await clock.advance(1);
    await first;
    expect(received).toBe(100);
    await clock.advance(100);
    await second;
    expect(received).toBe(200);
  });

  it('rejects writes on a closed end and drops bytes sent to a closed peer', async () => {
    const [a, b] = createLoopbackPair({ framing: 'raw' });
    await expect(a.write(Uint8Array.of(1))).rejects.toMatchObject({ kind: 'not-open' });
    await a.open();
    let received = 0;
    b.onData(() => received++);
    await a.write(Uint8Array.of(1));
    await settle();
    expect(received).toBe(0);
  });

  it('reports unplug on both ends and closes only the own end on close()', async () => {
    const [a, b] = createLoopbackPair({ framing: 'raw' });
    await a.open();
    await b.open();
    const reasons: Record<string, LinkCloseReason[]> = { a: [], b: [] };
    a.onClose((r) => reasons.a?.push(r));
    b.onClose((r) => reasons.b?.push(r));
    b.unplug('gone');
    expect(reasons.a).toEqual([{ kind: 'unplugged', message: 'gone' }]);
    expect(reasons.b).toEqual([{ kind: 'unplugged', message: 'gone' }]);
    await a.open();
    await a.close();
    expect(reasons.a?.[1]).toEqual({ kind: 'closed' });
    expect(b.isOpen).toBe(false);
  });
});
