import { afterEach, describe, expect, it } from 'vitest';
import { fieldIdentity, fieldLed } from '../../../main/devices/commands/field';
import { imageErase, imageState, parseSlots, withoutFlags } from '../../../main/devices/commands/image';
import { bootloaderInfo, echo, mcumgrParams, osInfo, reset } from '../../../main/devices/commands/os';
import { bytesSource } from '../../../main/devices/image-source';
import { SmpSession } from '../../../main/devices/session';
import { uploadImage } from '../../../main/devices/upload';
import { buildSimImage } from '../../../main/sim/image-builder';
import { systemClock } from '../../../main/links/clock';
import { createLoopbackPair } from '../../../main/links/loopback-link';
import { SimDevice } from '../../../main/sim/device';
import { createSimLink } from '../../../main/sim/sim-link';
import { ScriptedDevice } from './scripted-device';

const FAST = { processingMs: 0, resetDelayMs: 5, bootMs: 10, eraseMsPerSector: 1 };
let device: SimDevice | undefined;
afterEach(() => device?.dispose());

async function simSession(): Promise<{ session: SmpSession; device: SimDevice }> {
  device = new SimDevice({ board: 'nrf52840dk', id: '00124b0001020304', version: '1.2.3+4', clock: systemClock, timing: FAST });
  const link = createSimLink(device, { clock: systemClock, framing: 'serial', baud: 0 });
  await link.open();
  return { session: new SmpSession(link, { timeoutMs: 1000 }), device };
}

describe('device commands against the simulator', () => {
  it('echoes, reads mcumgr params, OS info and the bootloader', async () => {
    const { session } = await simSession();
    expect(await echo(session, 'hello')).toBe('hello');
    expect(await mcumgrParams(session)).toEqual({ bufSize: 384, bufCount: 4 });
    expect((await osInfo(session, 'a')).length).toBeGreaterThan(0);
    expect(await bootloaderInfo(session)).toMatchObject({ bootloader: 'MCUboot', mode: 1 });
  });

  it('reads the image state with the running image active and confirmed', async () => {
    const { session } = await simSession();
    const slots = await imageState(session);
    expect(slots).toHaveLength(1);
    expect(slots[0]).toMatchObject({ image: 0, slot: 0, version: '1.2.3+4', active: true, confirmed: true, pending: false });
    expect(slots[0]?.hash).toHaveLength(32);
  });

  it('erases the secondary slot after an upload', async () => {
    const { session } = await simSession();
    await uploadImage(session, bytesSource(buildSimImage({ version: '1.3.0+0', board: 'nrf52840dk' })), { bufSize: 384 });
    expect((await imageState(session)).map((s) => [s.slot, s.version])).toEqual([
      [0, '1.2.3+4'],
      [1, '1.3.0+0'],
    ]);
    await imageErase(session);
    expect((await imageState(session)).map((s) => s.slot)).toEqual([0]);
  });

  it('reads the field identity and makes the LED identify', async () => {
    const { session, device } = await simSession();
    expect(await fieldIdentity(session)).toMatchObject({ id: '00124b0001020304', board: 'nrf52840dk', role: 'device', mode: 'normal' });
    await fieldLed(session, 'identify');
    expect(device.led).toBe('identify');
  });

  it('resets the device: the answer comes first, then the link drops', async () => {
    const { session, device } = await simSession();
    const closed = new Promise((resolve) => session.link.onClose(resolve));
    await reset(session);
    expect(await closed).toMatchObject({ kind: 'unplugged' });
    expect(device.isUp).toBe(false);
  });
});

describe('field identity on a plain device', () => {
  it('is undefined when the device has no field group (ENOTSUP)', async () => {
    const [host, dev] = createLoopbackPair({ framing: 'raw' });
    await host.open();
    await dev.open();
    new ScriptedDevice(dev, () => ({ rc: 8 }));
    expect(await fieldIdentity(new SmpSession(host))).toBeUndefined();
  });
});

describe('parseSlots', () => {
  const hash = new Uint8Array(32).fill(1);

  it('reads absent flags as unknown (null), not false, and sorts by image and slot', () => {
    const slots = parseSlots({ images: [{ slot: 1, version: '2.0.0', hash, pending: true, active: false }, { slot: 0, version: '1.0.0', hash, active: true, confirmed: true }] });
    expect(slots.map((s) => [s.slot, s.active, s.confirmed, s.pending, s.permanent, s.bootable])).toEqual([
      [0, true, true, null, null, null],
      [1, false, null, true, null, null],
    ]);
  });

  it('reads the recorded MCUboot serial recovery list (no flags, SMP version spelling) as unknown flags and 1.2.3+4', () => {
    // transcripts/mcuboot-serial-recovery.json, default build, image_list_after_s01.
    const h = Uint8Array.from(Buffer.from('016c79d5d77d19178b57debf187110d62a0982db8fff7dbda637ae296d2a9fa1', 'hex'));
    const [slot] = parseSlots({ images: [{ slot: 0, hash: h, version: '1.2.3.4' }] });
    expect(slot).toMatchObject({ slot: 0, version: '1.2.3+4', active: null, confirmed: null, pending: null, bootable: null, permanent: null });
    expect(withoutFlags(parseSlots({ images: [{ slot: 0, hash: h, version: '1.2.3.4' }] }))).toBe(true);
    expect(withoutFlags(parseSlots({ images: [{ slot: 0, hash: h, version: '1.2.3.4', active: true }] }))).toBe(false);
  });

  it('calls a slot without a hash a protocol error', () => {
    expect(() => parseSlots({ images: [{ slot: 0, version: '1.0.0' }] })).toThrow(expect.objectContaining({ kind: 'protocol' }));
    expect(() => parseSlots({})).toThrow(expect.objectContaining({ kind: 'protocol' }));
  });
});
