import { describe, expect, it } from 'vitest';
import { UsageError, type CliContext } from '../../../main/cli/command';
import { makeDevicesCommand } from '../../../main/cli/commands/devices';
import { createLink } from '../../../main/links/factory';
import { bleRig } from '../links/doubles/ble-rig';
import { NodeHidDouble } from '../links/doubles/node-hid-double';

function context(json: boolean) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = { out: (t) => out.push(t), err: (t) => err.push(t), json, isTTY: false, dataDir: '/nonexistent', signal: new AbortController().signal };
  return { ctx, out, err };
}

describe('siteflash devices over a noble double backed by the simulator', () => {
  it('prints one table with the link, address, name and RSSI, and with --query what each device says', async () => {
    const rig = bleRig({ mtu: 247 });
    const hid = new NodeHidDouble(rig.clock);
    const command = makeDevicesCommand({ sources: { noble: rig.noble, hid, serial: async () => [] }, clock: rig.clock, openLink: (d) => createLink(d, { noble: rig.noble, hid }) });
    const { ctx, out, err } = context(false);
    expect(await rig.clock.run(command.run(['--scan-ms', '400', '--query'], ctx))).toBe(0);
    const [header, row] = (out[0] ?? '').split('\n');
    expect(header).toMatch(/^LINK\s+ADDRESS\s+NAME\s+RSSI\s+USB ID\s+SERIAL\s+DEVICE SAYS$/);
    expect(row).toMatch(/^ble\s+c0:ff:ee:00:00:01\s+sf-sensor\s+-58 dBm\s+-\s+-\s+00124b0001a2b3c4 nrf52840dk hw 1 device update mode v1\.0\.0/);
    expect(err).toEqual([]);
  });

  it('prints devices and problems as one JSON document with --json', async () => {
    const rig = bleRig({ adapterState: 'unauthorized' });
    const command = makeDevicesCommand({ sources: { noble: rig.noble, serial: async () => [{ path: '/dev/ttyACM1', source: 'os' }] }, clock: rig.clock });
    const { ctx, out } = context(true);
    expect(await rig.clock.run(command.run([], ctx))).toBe(0);
    const doc = JSON.parse(out[0] ?? '{}');
    expect(doc.devices).toEqual([{ link: 'serial', address: '/dev/ttyACM1', descriptor: { kind: 'serial', path: '/dev/ttyACM1', baudRate: 115200 } }]);
    expect(doc.problems).toEqual([{ link: 'ble', kind: 'permission-denied', message: expect.any(String), hint: expect.stringContaining('setcap') }]);
  });

  it('refuses a scan length that is not a number of milliseconds', async () => {
    const command = makeDevicesCommand({ sources: {} });
    await expect(command.run(['--scan-ms', 'soon'], context(false).ctx)).rejects.toBeInstanceOf(UsageError);
  });
});
