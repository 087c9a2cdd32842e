import { constants } from 'node:fs';
import { access, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PreflightCheck } from '../../preload/api';
import { line } from './check';

/** The udev rules file siteflash ships (resources/linux/), and where udev reads rules from. */
export const RULES_FILE = '70-siteflash.rules';
const RULES_DIRS = ['etc/udev/rules.d', 'usr/lib/udev/rules.d', 'lib/udev/rules.d'];
/** Groups that own serial ports on Linux distributions (Debian/Ubuntu/Fedora: dialout; Arch: uucp). */
const SERIAL_GROUPS = ['dialout', 'uucp'];

/** What the serial and HID checks look at; every part can be replaced (a temp dir as the root in tests). */
export interface DeviceAccessInputs {
  platform: NodeJS.Platform;
  /** Filesystem root: `/` for real; `dev/`, `etc/group` and the udev rule folders are read under it. */
  root: string;
  /** The user's group ids (process.getgroups()) and name, to read their groups from `etc/group`. */
  gids: readonly number[];
  userName: string;
  /** The user id: 0 (root) opens every device node. */
  uid?: number;
  /** True when this process may read and write the device node (fs.access R_OK|W_OK by default: it honours udev's uaccess ACLs). */
  canOpen?: (path: string) => Promise<boolean>;
  /** Where our rules file is shipped, for the command that installs it. */
  rulesSource: string;
}

/** The install command for our udev rules, named by file. */
export function installRulesCommand(rulesSource: string): string {
  return `sudo install -m 0644 ${rulesSource} /etc/udev/rules.d/${RULES_FILE} && sudo udevadm control --reload-rules && sudo udevadm trigger`;
}

/** The names of the groups a user is in, from `<root>/etc/group`: by group id, or listed as a member. */
export async function groupsOf(root: string, gids: readonly number[], userName: string): Promise<string[]> {
  const text = await readFile(join(root, 'etc/group'), 'utf8').catch(() => '');
  const names: string[] = [];
  for (const row of text.split('\n')) {
    const [name, , gid, members] = row.split(':');
    if (!name || gid === undefined) continue;
    if (gids.includes(Number(gid)) || (members ?? '').split(',').includes(userName)) names.push(name);
  }
  return names;
}

/** Where our udev rules file is installed under `root`, or null. */
export async function installedRules(root: string): Promise<string | null> {
  for (const dir of RULES_DIRS) {
    const path = join(root, dir, RULES_FILE);
    if (await access(path).then(() => true, () => false)) return `/${dir}/${RULES_FILE}`;
  }
  return null;
}

const defaultCanOpen = (path: string) => access(path, constants.R_OK | constants.W_OK).then(() => true, () => false);

/** Device nodes under `<root>/dev` whose names match, sorted. */
async function nodes(root: string, match: RegExp): Promise<string[]> {
  const names = await readdir(join(root, 'dev')).catch(() => [] as string[]);
  return names.filter((n) => match.test(n)).sort();
}

/** Splits device nodes into those this process can open and those it cannot. */
async function byAccess(root: string, names: string[], canOpen: (path: string) => Promise<boolean>): Promise<{ open: string[]; refused: string[] }> {
  const open: string[] = [];
  const refused: string[] = [];
  for (const n of names) ((await canOpen(join(root, 'dev', n))) ? open : refused).push(`/dev/${n}`);
  return { open, refused };
}

/**
 * Serial permission on Linux: ports present now must open read-write; with none plugged in, the
 * user must be in dialout/uucp or our udev rules must be installed. Other systems need nothing.
 */
export async function checkSerial(i: DeviceAccessInputs): Promise<PreflightCheck> {
  const title = 'Serial ports can be opened';
  if (i.platform !== 'linux') return line('serial', title, 'ok', 'This system needs no permission for USB serial ports.');
  if (i.uid === 0) return line('serial', title, 'ok', 'siteflash runs as root: every serial port opens.');
  const groups = await groupsOf(i.root, i.gids, i.userName);
  const group = SERIAL_GROUPS.find((g) => groups.includes(g));
  const rules = await installedRules(i.root);
  const fix = `Add yourself to the dialout group (sudo usermod -aG dialout ${i.userName || '$USER'}, then log out and in again), or install siteflash's udev rules ${RULES_FILE}: ${installRulesCommand(i.rulesSource)} — then unplug and replug the device.`;
  const how = [group ? `you are in the ${group} group` : `you are not in the dialout group`, rules ? `udev rules ${rules} installed` : `udev rules ${RULES_FILE} not installed`].join('; ');
  const { open, refused } = await byAccess(i.root, await nodes(i.root, /^tty(USB|ACM)\d+$/), i.canOpen ?? defaultCanOpen);
  if (refused.length > 0) return line('serial', title, 'fail', `${refused.join(', ')} cannot be opened for reading and writing (${how}).`, fix);
  if (open.length > 0) return line('serial', title, 'ok', `${open.join(', ')} can be opened (${how}).`);
  if (group || rules) return line('serial', title, 'ok', `No USB serial port is plugged in now; ports will open: ${how}.`);
  return line('serial', title, 'warn', `No USB serial port is plugged in now, and ${how}: a port plugged in later will probably be refused.`, fix);
}

/** HID access on Linux: hidraw nodes present now must open read-write; with none, our udev rules must be installed. */
export async function checkHid(i: DeviceAccessInputs): Promise<PreflightCheck> {
  const title = 'USB HID devices can be opened';
  if (i.platform !== 'linux') return line('hid', title, 'ok', 'This system needs no permission for USB HID devices.');
  if (i.uid === 0) return line('hid', title, 'ok', 'siteflash runs as root: every HID device opens.');
  const rules = await installedRules(i.root);
  const fix = `Install siteflash's udev rules ${RULES_FILE} (they give the logged-in user access to /dev/hidraw*): ${installRulesCommand(i.rulesSource)} — then unplug and replug the device.`;
  const how = rules ? `udev rules ${rules} installed` : `udev rules ${RULES_FILE} not installed`;
  const { open, refused } = await byAccess(i.root, await nodes(i.root, /^hidraw\d+$/), i.canOpen ?? defaultCanOpen);
  if (refused.length > 0) return line('hid', title, 'fail', `${refused.join(', ')} cannot be opened for reading and writing (${how}).`, fix);
  if (open.length > 0) return line('hid', title, 'ok', `${open.join(', ')} can be opened (${how}).`);
  if (rules) return line('hid', title, 'ok', `No USB HID device is plugged in now; ${how}, so they will open.`);
  return line('hid', title, 'warn', `No USB HID device is plugged in now, and ${how}: a HID device plugged in later will probably be refused.`, fix);
}
