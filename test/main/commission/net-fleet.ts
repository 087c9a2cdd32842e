import { randomBytes } from 'node:crypto';
import { setNetKey } from '../../../main/commission/net-key';
import { encodePanId } from '../../../main/commission/net-settings';
import { SiteflashError } from '../../../main/errors';
import type { Clock } from '../../../main/links/clock';
import { secretsFacade } from '../../../main/secrets/secrets-facade';
import { SecretStore } from '../../../main/secrets/secret-store';
import type { SimDevice, SimDeviceOptions } from '../../../main/sim/device';
import { isWrite, ok, type SimGroup } from '../../../main/sim/handler';
import { seededRandom } from '../../../main/sim/rng';
import { OsGroup } from '../../../main/sim/os-group';
import { OsCmd, SettingsCmd, SmpGroup } from '../../../main/smp';
import { BOARD, FAST } from '../jobs/sim-fleet';

/** The network the devices are on before the change. */
export const OLD_NET = { panId: 0x1234, channel: 11, security: 'aes-ccm-64' as const };
/** The network they are moved to. */
export const NEW_NET = { panId: 0xbeef, channel: 20, security: 'aes-ccm-128' as const };

/**
 * Device faults around the settings group, through the simulator's own group seam:
 * - `power-loss-before-reset`: after a `save`, the power goes as the reset request arrives (it never runs);
 * - `save-lost-once`: the first `save` answers OK but stores nothing (flash write lost);
 * - `save-always-lost`: no `save` ever stores anything;
 * - `never-rejoins`: after the reset that follows a save the device stays without power.
 */
export type NetFault = 'power-loss-before-reset' | 'save-lost-once' | 'save-always-lost' | 'never-rejoins';

/** Settings stored in a device's flash at start: the old network and an old key. */
export function oldSettings(): Record<string, Uint8Array> {
  return {
    'net/pan_id': encodePanId(OLD_NET.panId),
    'net/channel': Uint8Array.of(OLD_NET.channel),
    'net/security': new TextEncoder().encode(OLD_NET.security),
    'net/key': new Uint8Array(16).fill(0x11),
  };
}

/** How many times each device (by id) was sent `net/key`. */
export const keyWrites = new Map<string, number>();

/** The settings group of `dev` with `fault` injected (device options `groups`), counting key writes. */
export function faultySettings(fault: NetFault | undefined, dev: SimDevice): SimGroup[] {
  let saves = 0;
  let armed = false;
  if (fault === 'never-rejoins') dev.onPower((e) => e === 'up' && armed && ((armed = false), dev.powerLoss(24 * 3_600_000)));
  const settings: SimGroup = {
    group: SmpGroup.settings,
    onReboot: () => dev.settings.onReboot(),
    handle(req) {
      if (req.header.id === SettingsCmd.readWrite && isWrite(req) && req.body.name === 'net/key') keyWrites.set(dev.id, (keyWrites.get(dev.id) ?? 0) + 1);
      if (!(req.header.id === SettingsCmd.loadSave && isWrite(req))) return dev.settings.handle(req);
      saves++;
      if (fault === 'save-always-lost' || (fault === 'save-lost-once' && saves === 1)) return ok();
      if (fault === 'never-rejoins' || (fault === 'power-loss-before-reset' && saves === 1)) armed = true;
      return dev.settings.handle(req);
    },
  };
  if (fault !== 'power-loss-before-reset') return [settings];
  const os = new OsGroup(dev);
  const cutting: SimGroup = {
    group: SmpGroup.os,
    handle(req) {
      if (!(armed && req.header.id === OsCmd.reset && isWrite(req))) return os.handle(req);
      armed = false;
      // The answer is never sent: going down drops it with every other pending timer.
      dev.powerLoss(400);
      return ok();
    },
  };
  return [settings, cutting];
}

/** Device options of one field device on the old network, with an optional fault. */
export function netDeviceOptions(n: number, clock: Clock, fault?: NetFault): SimDeviceOptions {
  return {
    board: BOARD,
    id: `5f1a5600${n.toString(16).padStart(8, '0')}`,
    version: '1.0.0+0',
    clock,
    timing: FAST,
    random: seededRandom(300 + n),
    settings: oldSettings(),
    groups: (ctx) => faultySettings(fault, ctx as SimDevice),
  };
}

/** The real keychain (a throwaway keyring under test/with-keyring.sh), under this process's own service name: test files run side by side. */
export const keychain = new SecretStore({ service: `siteflash-test-${process.pid}` });

/** Stores a fresh random key for `projectId` in the keychain and returns it (hex). Fails the test when no keychain answers. */
export async function freshProjectKey(projectId: string): Promise<{ hex: string; bytes: Uint8Array }> {
  const bytes = new Uint8Array(randomBytes(16));
  const hex = Buffer.from(bytes).toString('hex');
  try {
    await setNetKey(secretsFacade(keychain), projectId, hex);
  } catch (err) {
    if (err instanceof SiteflashError && err.kind === 'keychain-unavailable') {
      throw new Error(`No Secret Service answers: run these tests under test/with-keyring.sh (${err.message})`, { cause: err });
    }
    throw err;
  }
  return { hex, bytes };
}

/** Deletes every secret the tests stored. */
export async function clearKeychain(): Promise<void> {
  for (const name of await keychain.list().catch(() => [])) await keychain.delete(name);
}
