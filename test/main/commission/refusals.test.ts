import { afterAll, describe, expect, it } from 'vitest';
import { keychainNetKeys } from '../../../main/commission/net-key';
import { networkJobSpec } from '../../../main/commission/network-job';
import type { DeviceConnection, DeviceDriver } from '../../../main/jobs/driver';
import { JobsService } from '../../../main/jobs/jobs-service';
import { SmpDriver } from '../../../main/jobs/smp-driver';
import type { JobTarget } from '../../../main/jobs/types';
import type { Link } from '../../../main/links/link';
import { SimDevice, type SimDeviceOptions } from '../../../main/sim/device';
import { isWrite, ok, type SimGroup } from '../../../main/sim/handler';
import { ManualClock } from '../../../main/sim/manual-clock';
import { seededRandom } from '../../../main/sim/rng';
import { createSimLink } from '../../../main/sim/sim-link';
import { SettingsCmd, SmpGroup } from '../../../main/smp';
import { drive } from '../gateway/sim-gateway';
import { tempDb } from '../jobs/helpers';
import { clearKeychain, freshProjectKey, keychain, NEW_NET, netDeviceOptions } from './net-fleet';

const cleanups: (() => void)[] = [];
afterAll(async () => {
  cleanups.forEach((c) => c());
  await clearKeychain();
});

/** A field group that is not there: every command answers ENOTSUP, as on a plain Zephyr device. */
const noFieldGroup = (): SimGroup[] => [{ group: SmpGroup.field, handle: () => undefined }];

/** A settings group that answers every write OK but keeps `net/channel` unchanged. */
function forgetfulChannel(dev: SimDevice): SimGroup[] {
  return [
    {
      group: SmpGroup.settings,
      onReboot: () => dev.settings.onReboot(),
      handle: (req) => (req.header.id === SettingsCmd.readWrite && isWrite(req) && req.body.name === 'net/channel' ? ok() : dev.settings.handle(req)),
    },
  ];
}

/** Runs a one-device network job and returns the device's snapshot and whether its stored settings changed. */
async function runOne(opts: Partial<SimDeviceOptions>, target: Partial<JobTarget> = {}, wrap: (d: DeviceDriver) => DeviceDriver = (d) => d) {
  const clock = new ManualClock();
  const device = new SimDevice({ ...netDeviceOptions(130, clock), ...opts });
  const link = createSimLink(device, { framing: 'serial', clock, name: 'r0' });
  const { db, cleanup } = tempDb();
  cleanups.push(cleanup, () => device.dispose());
  const driver = wrap(new SmpDriver({ clock, timeoutMs: 500, resetSettleMs: 50, openLink: () => link as Link }));
  const service = new JobsService({ db, driver, clock, rng: seededRandom(1), netKey: keychainNetKeys(keychain) });
  const spec = networkJobSpec({ targets: [{ link: { kind: 'loopback', name: 'r0' }, ...target }], network: { projectId: 'refusals', ...NEW_NET }, technician: 'Ada Tech', policy: { ledConfirm: false, retries: 1 } });
  const job = await drive(clock, service.whenSettled(service.start(spec)), 20);
  await service.close();
  return { snap: job.devices[0], untouched: device.panId() === 0x1234 && device.settings.persistedValue('net/channel')?.[0] === 11, boots: device.stats.boots };
}

describe('devices a network job refuses or cannot finish', () => {
  it('does not touch a device without a field group (no way to see it rejoin)', async () => {
    const r = await runOne({ groups: noFieldGroup });
    expect(r.snap).toMatchObject({ state: 'failed', reasonKind: 'no-field-group', reason: expect.stringMatching(/Nothing was written/) });
    expect(r.untouched).toBe(true);
  });

  it('does not touch a device that is not the one expected on that link', async () => {
    const r = await runOne({}, { expectedDeviceId: '0123456789abcdef' });
    expect(r.snap).toMatchObject({ state: 'failed', reasonKind: 'wrong-device' });
    expect(r.untouched).toBe(true);
  });

  it('never resets a device that did not keep a value it accepted', async () => {
    await freshProjectKey('refusals');
    const r = await runOne({ groups: (ctx) => forgetfulChannel(ctx as SimDevice) });
    expect(r.snap).toMatchObject({ state: 'failed', reasonKind: 'settings-not-kept', reason: expect.stringMatching(/reads back pan 0xbeef ch 11 aes-ccm-128/) });
    expect(r.boots).toBe(0);
  });

  it('refuses before writing when the driver cannot write settings', async () => {
    const plain = (d: DeviceDriver): DeviceDriver => ({
      name: 'plain',
      connect: async (t, s) => Object.create(await d.connect(t, s), { writeSettings: { value: undefined } }) as DeviceConnection,
    });
    const r = await runOne({}, {}, plain);
    expect(r.snap).toMatchObject({ state: 'failed', reasonKind: 'settings-unsupported' });
    expect(r.untouched).toBe(true);
  });
});

describe('a network job spec', () => {
  it('is refused when it carries anything beyond the readable settings, so a key can never be journaled', () => {
    const { db, cleanup } = tempDb();
    cleanups.push(cleanup);
    const service = new JobsService({ db, driver: new SmpDriver() });
    const spec = networkJobSpec({ targets: [{ link: { kind: 'loopback', name: 'x' } }], network: { projectId: 'p', ...NEW_NET }, technician: 'Ada Tech' });
    const leaky = { ...spec, network: { ...NEW_NET, projectId: 'p', key: '00112233445566778899aabbccddeeff' } };
    expect(() => service.start(leaky)).toThrow(/the key comes from the keychain/);
    expect(() => service.start({ ...spec, network: { projectId: 'p', ...NEW_NET, panId: 70_000 } })).toThrow(/PAN ID/);
    expect(service.list()).toEqual([]);
  });
});
