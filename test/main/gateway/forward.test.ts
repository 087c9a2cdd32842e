import { describe, expect, it } from 'vitest';
import { fieldIdentity, fieldLed } from '../../../main/devices/commands/field';
import { imageState } from '../../../main/devices/commands/image';
import { echo, mcumgrParams, osInfo, reset } from '../../../main/devices/commands/os';
import { settingsCommit, settingsRead, settingsSave, settingsWrite } from '../../../main/devices/commands/settings';
import { SmpError } from '../../../main/smp';
import { drive, gatewaySetup } from './sim-gateway';

describe('forward: the normal device commands run unchanged on a device behind the gateway', () => {
  it('round-trips echo, params, info, image state, settings, field identity/led and reset', async () => {
    const g = await gatewaySetup({ devices: [{ board: 'sf-dev-1', count: 2, lossRate: 0.1 }], seed: 5 });
    const dev = g.sim.devices[1]!;
    const s = await drive(g.clock, g.client.forwardSession(dev.id));
    const run = <T>(p: Promise<T>) => drive(g.clock, p);

    expect(await run(echo(s, 'through the gateway'))).toBe('through the gateway');
    expect(await run(mcumgrParams(s))).toEqual({ bufSize: dev.bufSize, bufCount: dev.bufCount });
    expect(await run(osInfo(s, 's'))).toBe('Zephyr');
    const slots = await run(imageState(s));
    expect(slots[0]).toMatchObject({ slot: 0, version: '1.0.0+0', active: true, confirmed: true });
    expect(Buffer.from(slots[0]!.hash).equals(Buffer.from(dev.flash.image(0)!.hash))).toBe(true);

    await run(settingsWrite(s, 'net/pan_id', Uint8Array.of(0x34, 0x12)));
    expect([...(await run(settingsRead(s, 'net/pan_id')))]).toEqual([0x34, 0x12]);
    await run(settingsCommit(s));
    await run(settingsSave(s));
    const key = await run(settingsRead(s, 'net/key')).catch((e: unknown) => e);
    expect(key).toBeInstanceOf(SmpError);
    expect((key as SmpError).code).toBe(11);

    const id = await run(fieldIdentity(s));
    expect(id).toMatchObject({ id: dev.id, role: 'device', board: 'sf-dev-1', mode: 'update', pan: 0x1234 });
    await run(fieldLed(s, 'identify'));
    expect(dev.led).toBe('identify');

    const bootsBefore = dev.stats.boots;
    await run(reset(s));
    await drive(g.clock, new Promise((r) => g.clock.schedule(() => r(undefined), 5000)));
    expect(dev.stats.boots).toBe(bootsBefore + 1);
    // The saved PAN survives the reset; the device answers again through the gateway.
    expect(await run(fieldIdentity(s))).toMatchObject({ id: dev.id, mode: 'normal', pan: 0x1234 });
    g.dispose();
  });

  it('answers a timeout for a device that walked out of range, and the session reports it as a timeout', async () => {
    const g = await gatewaySetup({ devices: [{ board: 'sf-dev-1', count: 1 }] });
    const dev = g.sim.devices[0]!;
    g.sim.endpoints.get(dev.id)!.link.outOfRangeAt = g.clock.now();
    const raw = await drive(g.clock, g.client.forward(dev.id, Uint8Array.of(0x0a, 0, 0, 1, 0, 0, 0, 0, 0xa0)).catch((e: unknown) => e));
    expect(raw).toBeInstanceOf(SmpError);
    expect((raw as SmpError).code).toBe(4);
    g.dispose();
  });
});
