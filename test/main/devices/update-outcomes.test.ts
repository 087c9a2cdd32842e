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

type Entry = Record<string, unknown>;

/**
 * A scripted device whose slots after the reset, identity before and after the reset and answer
 * style are chosen by the test. `recovery`: MCUboot serial recovery's default build (smp.md §11.1):
 * uploads land in slot 0, no flags in the list, rc 8 to params, state write and the field group.
 */
async function device(o: { after: Entry[]; idBefore?: string; idAfter?: string; recovery?: boolean }) {
  const clock = new FakeClock();
  const [host, dev] = createLoopbackPair({ framing: 'serial' });
  await host.open();
  await dev.open();
  let slots: Entry[] = o.recovery ? [] : [{ slot: 0, version: '1.0.0', hash: OLD, active: true, confirmed: true }];
  let id = o.idBefore;
  const upload = new UploadServer();
  const script = new ScriptedDevice(dev, (r: SeenRequest): SmpBody | 'silent' => {
    const { group, id: cmd, op } = r.header;
    if (group === 0 && cmd === 6) return o.recovery ? { rc: 8 } : { buf_size: 512, buf_count: 2 };
    if (group === 64 && cmd === 0) return id === undefined ? { rc: 8 } : { id, board: 'b', hw: '1', role: 'device', mode: 'normal', led: 'joined', radio: 'none', version: '1.0.0+0' };
    if (group === 0 && cmd === 5) {
      queueMicrotask(() => {
        dev.unplug('reset');
        slots = o.after;
        id = o.idAfter;
        void dev.open();
      });
      return 'silent';
    }
    if (group === 1 && cmd === 1) {
      const answer = upload.handle(r.body);
      const done = upload.expected === upload.len && upload.len > 0;
      if (done) slots = o.recovery ? [{ slot: 0, version: '1.1.0', hash: NEW }] : [slots[0] as Entry, { slot: 1, version: '1.1.0', hash: NEW }];
      return o.recovery ? { rc: 0, off: answer.off as number } : answer;
    }
    if (group === 1 && cmd === 0 && op === 2) {
      if (o.recovery) return { rc: 8 };
      if (r.body.hash) slots = slots.map((s) => (s.slot === 1 ? { ...s, pending: true } : s));
      else slots = slots.map((s) => (s.active ? { ...s, confirmed: true } : s));
      return { images: slots };
    }
    if (group === 1 && cmd === 0) return { images: slots };
    return { rc: 8 };
  });
  return { clock, session: new SmpSession(host, { clock }), script };
}

const image = (): UpdateImage => ({ source: bytesSource(new Uint8Array(3000).fill(7)), hash: NEW, version: '1.1.0+0' });
const ops = (seen: SeenRequest[]) => seen.map((r) => `${r.header.group}/${r.header.id}/${r.header.op}`);

describe('update outcomes read from what the device shows after its reset', () => {
  it('reports "not swapped", not a rollback, when the new image is still pending after the reset', async () => {
    // Zephyr without a bootloader (smp.md §11.2): a pending slot stays pending.
    const after = [{ slot: 0, version: '1.0.0', hash: OLD, active: true, confirmed: true }, { slot: 1, version: '1.1.0', hash: NEW, pending: true }];
    const { clock, session, script } = await device({ after });
    const result = await clock.run(runUpdate(session, image(), { clock }), 50);
    expect(result.outcome).toBe('not-swapped');
    // Nothing was confirmed: the only write of image state after the reset would be a confirm.
    expect(ops(script.seen).filter((x) => x === '1/0/2')).toHaveLength(1);
  });

  it('reports a rollback only when the old image runs and the new one is no longer pending', async () => {
    const after = [{ slot: 0, version: '1.0.0', hash: OLD, active: true, confirmed: true }, { slot: 1, version: '1.1.0', hash: NEW, pending: false }];
    const { clock, session } = await device({ after });
    const result = await clock.run(runUpdate(session, image(), { clock }), 50);
    expect(result.outcome).toBe('rolled-back');
  });

  it('confirms and says the identity was proven when the same device comes back with the new image', async () => {
    const after = [{ slot: 0, version: '1.1.0', hash: NEW, active: true, confirmed: false }, { slot: 1, version: '1.0.0', hash: OLD, confirmed: true }];
    const { clock, session, script } = await device({ after, idBefore: '00124b0000000001', idAfter: '00124b0000000001' });
    const result = await clock.run(runUpdate(session, image(), { clock }), 50);
    expect(result).toMatchObject({ outcome: 'confirmed', identity: 'same' });
    expect(ops(script.seen).at(-1)).toBe('1/0/2');
  });

  it('refuses with "another device answered" and records nothing when a different device answers after the reset', async () => {
    const after = [{ slot: 0, version: '1.1.0', hash: NEW, active: true, confirmed: false }];
    const { clock, session, script } = await device({ after, idBefore: '00124b0000000001', idAfter: '00124b0000000002' });
    await expect(clock.run(runUpdate(session, image(), { clock }), 50)).rejects.toMatchObject({ kind: 'wrong-device', message: expect.stringContaining('Another device answered') });
    // After the reset the client asked who it was and nothing else: no image state read, no confirm.
    const afterReset = ops(script.seen).slice(ops(script.seen).indexOf('0/5/2') + 1);
    expect(afterReset).toEqual(['64/0/0']);
  });

  it('refuses when a device that said who it was comes back saying nothing', async () => {
    const after = [{ slot: 0, version: '1.1.0', hash: NEW, active: true }];
    const { clock, session } = await device({ after, idBefore: '00124b0000000001' });
    await expect(clock.run(runUpdate(session, image(), { clock }), 50)).rejects.toMatchObject({ kind: 'wrong-device' });
  });

  it('a port whose USB serial number changed across the reset is another device', async () => {
    const after = [{ slot: 0, version: '1.1.0', hash: NEW, active: true }];
    const { clock, session } = await device({ after });
    const serials = ['SN-A', 'SN-B'];
    let n = 0;
    const proof = { usbSerial: () => Promise.resolve(serials[Math.min(n++, 1)]) };
    await expect(clock.run(runUpdate(session, image(), { clock, proof }), 50)).rejects.toMatchObject({ kind: 'wrong-device', message: expect.stringContaining('SN-B') });
  });

  it('installs through MCUboot serial recovery: slot 0, no test, no confirm, "installed by the bootloader"', async () => {
    const after = [{ slot: 0, version: '1.1.0', hash: NEW }];
    const { clock, session, script } = await device({ after, recovery: true });
    const result = await clock.run(runUpdate(session, image(), { clock }), 50);
    expect(result.outcome).toBe('installed-by-bootloader');
    expect(result.identity).toBe('unproven');
    expect(result.slots[0]).toMatchObject({ slot: 0, active: null, confirmed: null });
    // No image state write (test or confirm) was ever sent.
    expect(ops(script.seen)).not.toContain('1/0/2');
    expect(ops(script.seen).filter((x) => x === '0/5/2')).toHaveLength(1);
  });

  it('fails clearly when serial recovery no longer lists the image in slot 0 after the reset', async () => {
    const { clock, session } = await device({ after: [], recovery: true });
    await expect(clock.run(runUpdate(session, image(), { clock }), 50)).rejects.toMatchObject({ kind: 'refused', message: expect.stringContaining('did not keep') });
  });
});
