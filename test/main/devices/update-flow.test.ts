import { describe, expect, it } from 'vitest';
import { bytesSource } from '../../../main/devices/image-source';
import { SmpSession } from '../../../main/devices/session';
import { runUpdate, type UpdateImage } from '../../../main/devices/update-flow';
import { createLoopbackPair } from '../../../main/links/loopback-link';
import type { SmpBody } from '../../../main/smp';
import { FakeClock } from '../links/fake-clock';
import { ScriptedDevice, UploadServer, type SeenRequest } from './scripted-device';

const OLD = new Uint8Array(32).fill(0xaa);
const NEW = new Uint8Array(32).fill(0xbb);

interface Slot {
  slot: number;
  version: string;
  hash: Uint8Array;
  active?: boolean;
  confirmed?: boolean;
  pending?: boolean;
}

/** A swap-mode device in a script: image state, upload, test, reset (answer lost), confirm. */
async function device(opts: { slots?: Slot[]; afterReset?: 'new' | 'old' } = {}) {
  const clock = new FakeClock();
  const [host, dev] = createLoopbackPair({ framing: 'serial' });
  await host.open();
  await dev.open();
  let slots: Slot[] = opts.slots ?? [{ slot: 0, version: '1.0.0', hash: OLD, active: true, confirmed: true }];
  const upload = new UploadServer();
  const state = (): SmpBody => ({ images: slots.map((s) => ({ ...s })) });
  const script = new ScriptedDevice(dev, (r: SeenRequest) => {
    const { group, id, op } = r.header;
    if (group === 0 && id === 5) {
      // The device goes down before its answer leaves: the answer is lost.
      queueMicrotask(() => {
        dev.unplug('reset');
        slots = opts.afterReset === 'old' ? [{ slot: 0, version: '1.0.0', hash: OLD, active: true, confirmed: true }, { slot: 1, version: '1.1.0', hash: NEW }] : [{ slot: 0, version: '1.1.0', hash: NEW, active: true }, { slot: 1, version: '1.0.0', hash: OLD, confirmed: true }];
        void dev.open();
      });
      return 'silent';
    }
    if (group === 1 && id === 1) {
      const answer = upload.handle(r.body);
      if (answer.match === true) slots = [slots[0] as Slot, { slot: 1, version: '1.1.0', hash: NEW }];
      return answer;
    }
    if (group === 1 && id === 0 && op === 2) {
      if (r.body.hash) (slots[1] as Slot).pending = true;
      else slots = slots.map((s) => (s.active ? { ...s, confirmed: true } : s));
      return state();
    }
    if (group === 1 && id === 0) return state();
    return { rc: 8 };
  });
  const session = new SmpSession(host, { clock });
  return { clock, session, script };
}

const image = (): UpdateImage => ({ source: bytesSource(new Uint8Array(3000).fill(7)), hash: NEW, version: '1.1.0' });
const ops = (seen: SeenRequest[]) => seen.map((r) => `${r.header.group}/${r.header.id}/${r.header.op}`);

describe('runUpdate', () => {
  it('waits for the device when the reset answer is lost, then confirms the new image', async () => {
    const { clock, session, script } = await device();
    const result = await clock.run(runUpdate(session, image(), { clock }), 50);
    expect(result.outcome).toBe('confirmed');
    expect(result.slots.find((s) => s.active)).toMatchObject({ version: '1.1.0+0', confirmed: true });
    // The reset went out once: a lost answer is never answered with a second reset.
    expect(ops(script.seen).filter((o) => o === '0/5/2')).toHaveLength(1);
  });

  it('reports a rollback when the device comes back with its old image', async () => {
    const { clock, session } = await device({ afterReset: 'old' });
    const result = await clock.run(runUpdate(session, image(), { clock }), 50);
    expect(result.outcome).toBe('rolled-back');
  });

  it('does nothing but confirm when the device already runs the image', async () => {
    const { clock, session, script } = await device({ slots: [{ slot: 0, version: '1.1.0', hash: NEW, active: true }] });
    const result = await clock.run(runUpdate(session, image(), { clock }), 50);
    expect(result.outcome).toBe('already-running');
    // After params rc 8 the serial link is probed once with a 1020-byte echo (params.ts).
    expect(ops(script.seen)).toEqual(['0/6/0', '0/0/2', '64/0/0', '1/0/0', '1/0/2']);
  });

  it('refuses when another image is already pending, before any upload', async () => {
    const other = new Uint8Array(32).fill(0xcc);
    const { session, script } = await device({ slots: [{ slot: 0, version: '1.0.0', hash: OLD, active: true, confirmed: true }, { slot: 1, version: '0.9.0', hash: other, pending: true }] });
    await expect(runUpdate(session, image())).rejects.toMatchObject({ kind: 'refused' });
    expect(ops(script.seen)).not.toContain('1/1/2');
  });

  it('hands the check the identity (undefined without a field group) and stops when it throws', async () => {
    const { session, script } = await device();
    const seen: unknown[] = [];
    const check = (identity: unknown) => {
      seen.push(identity);
      throw Object.assign(new Error('wrong board'), { kind: 'refused' });
    };
    await expect(runUpdate(session, image(), { check })).rejects.toThrow('wrong board');
    expect(seen).toEqual([undefined]);
    expect(ops(script.seen)).toEqual(['0/6/0', '0/0/2', '64/0/0']);
  });
});
