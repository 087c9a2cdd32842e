import { chmodSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkHid, checkSerial, groupsOf, installedRules, type DeviceAccessInputs } from '../../../main/preflight/device-access-check';

/** A filesystem root in a temp dir: `etc/group`, device nodes (plain files with real modes) and udev rule folders. */
function makeRoot(p: { group?: string; nodes?: Record<string, number>; rulesIn?: string }): string {
  const root = mkdtempSync(join(tmpdir(), 'siteflash-root-'));
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(join(root, 'dev'));
  writeFileSync(join(root, 'etc/group'), p.group ?? 'root:x:0:\ndialout:x:20:\nplugdev:x:46:\ntech:x:1000:\n');
  for (const [name, mode] of Object.entries(p.nodes ?? {})) {
    writeFileSync(join(root, 'dev', name), '');
    chmodSync(join(root, 'dev', name), mode);
  }
  if (p.rulesIn) {
    mkdirSync(join(root, p.rulesIn), { recursive: true });
    writeFileSync(join(root, p.rulesIn, '70-siteflash.rules'), 'SUBSYSTEM=="tty", KERNEL=="ttyACM[0-9]*", TAG+="uaccess"\n');
  }
  return root;
}

/** A user who is neither owner nor in the node's group: what "others" may do decides (the test's stand-in for the kernel). */
const byOtherBits = async (path: string) => (statSync(path).mode & 0o006) === 0o006;

const inputs = (root: string, more: Partial<DeviceAccessInputs> = {}): DeviceAccessInputs => ({
  platform: 'linux',
  root,
  gids: [1000],
  userName: 'tech',
  uid: 1000,
  canOpen: byOtherBits,
  rulesSource: '/opt/siteflash/resources/linux/70-siteflash.rules',
  ...more,
});

describe('serial permission', () => {
  it('fails naming the port that cannot be opened, with the dialout group and the udev rules file to install', async () => {
    const check = await checkSerial(inputs(makeRoot({ nodes: { ttyUSB0: 0o660, ttyACM1: 0o666 } })));
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('/dev/ttyUSB0 cannot be opened');
    expect(check.detail).not.toContain('ttyACM1 cannot');
    expect(check.fix).toContain('sudo usermod -aG dialout tech');
    expect(check.fix).toContain('sudo install -m 0644 /opt/siteflash/resources/linux/70-siteflash.rules /etc/udev/rules.d/70-siteflash.rules');
  });

  it('is ok when every plugged-in port opens', async () => {
    const check = await checkSerial(inputs(makeRoot({ nodes: { ttyACM0: 0o666, hidraw0: 0o600 } })));
    expect(check).toMatchObject({ status: 'ok' });
    expect(check.detail).toContain('/dev/ttyACM0 can be opened');
    expect(check.fix).toBeUndefined();
  });

  it('with no port plugged in: ok for a dialout member (by gid or as listed member), warn for anyone else', async () => {
    expect((await checkSerial(inputs(makeRoot({}), { gids: [1000, 20] }))).status).toBe('ok');
    const member = await checkSerial(inputs(makeRoot({ group: 'dialout:x:20:someone,tech\n' })));
    expect(member.status).toBe('ok');
    expect(member.detail).toContain('you are in the dialout group');
    const outsider = await checkSerial(inputs(makeRoot({})));
    expect(outsider.status).toBe('warn');
    expect(outsider.detail).toContain('not in the dialout group');
    expect(outsider.fix).toContain('70-siteflash.rules');
  });

  it('with no port plugged in: ok when our udev rules are installed, naming where', async () => {
    const check = await checkSerial(inputs(makeRoot({ rulesIn: 'usr/lib/udev/rules.d' })));
    expect(check.status).toBe('ok');
    expect(check.detail).toContain('/usr/lib/udev/rules.d/70-siteflash.rules installed');
  });

  it('needs nothing on other systems, and nothing as root', async () => {
    expect((await checkSerial(inputs(makeRoot({ nodes: { ttyUSB0: 0o600 } }), { platform: 'darwin' }))).status).toBe('ok');
    expect((await checkSerial(inputs(makeRoot({ nodes: { ttyUSB0: 0o600 } }), { uid: 0 }))).status).toBe('ok');
  });
});

describe('HID access', () => {
  it('fails for a hidraw node that cannot be opened, naming the rules to install', async () => {
    const check = await checkHid(inputs(makeRoot({ nodes: { hidraw0: 0o600, hidraw3: 0o666 } })));
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('/dev/hidraw0 cannot be opened');
    expect(check.fix).toContain('/etc/udev/rules.d/70-siteflash.rules');
  });

  it('is ok when hidraw nodes open, or none is plugged in and the rules are installed; warns otherwise', async () => {
    expect((await checkHid(inputs(makeRoot({ nodes: { hidraw2: 0o666 } })))).status).toBe('ok');
    expect((await checkHid(inputs(makeRoot({ rulesIn: 'etc/udev/rules.d' })))).status).toBe('ok');
    // dialout does not open hidraw: only the rules (uaccess) do.
    const check = await checkHid(inputs(makeRoot({}), { gids: [20] }));
    expect(check.status).toBe('warn');
  });
});

describe('groups and rules under a root', () => {
  it('reads group names by id and by member list', async () => {
    const root = makeRoot({ group: 'root:x:0:\ndialout:x:20:tech\nuucp:x:14:\nwheel:x:10:\n\nbroken\n' });
    expect(await groupsOf(root, [10], 'tech')).toEqual(['dialout', 'wheel']);
  });

  it('finds our rules in /etc first', async () => {
    const root = makeRoot({ rulesIn: 'etc/udev/rules.d' });
    mkdirSync(join(root, 'lib/udev/rules.d'), { recursive: true });
    writeFileSync(join(root, 'lib/udev/rules.d/70-siteflash.rules'), '');
    expect(await installedRules(root)).toBe('/etc/udev/rules.d/70-siteflash.rules');
    expect(await installedRules(makeRoot({}))).toBeNull();
  });
});
