import { describe, expect, it } from 'vitest';
import type { SimReply } from '../../../main/sim/handler';
import { SmpOp } from '../../../main/smp/constants';
import { harness } from './harness';

/** A device with an extra group 200 whose id 0 answers later, when the test says (as a gateway waiting on its radio). */
function deferring() {
  const gives: ((r: SimReply) => void)[] = [];
  const h = harness({ groups: () => [{ group: 200, handle: () => ({ body: {}, defer: (give) => gives.push(give) }) }] });
  return { ...h, gives };
}

describe('SimDevice deferred replies (the hook gateways answer through)', () => {
  it('answers when the reply is given, in order, and stays busy meanwhile', () => {
    const h = deferring();
    expect(h.request({ op: SmpOp.read, group: 200, id: 0, body: {} })).toBeUndefined();
    // The next request waits behind the deferred one, as on Zephyr's single SMP thread.
    expect(h.request({ op: SmpOp.read, group: 0, id: 6, body: {} })).toBeUndefined();
    h.gives[0]!({ body: { late: true } });
    h.settle();
    const bodies = h.received.packets.map((p) => p[4]! * 256 + p[5]!);
    expect(bodies).toEqual([200, 0]);
  });

  it('drops a deferred answer from before a power cut', () => {
    const h = deferring();
    h.request({ op: SmpOp.read, group: 200, id: 0, body: {} });
    h.device.powerLoss(100);
    h.settle();
    h.gives[0]!({ body: { stale: true } });
    h.settle();
    expect(h.received.packets).toHaveLength(0);
    expect(h.body({ op: SmpOp.read, group: 0, id: 6, body: {} })).toMatchObject({ buf_size: 384 });
  });
});
