import { FieldCmd, ImageCmd, OsCmd, SettingsCmd, ShellCmd, SmpGroup, StatsCmd } from './constants';

/** Names a technician reads in errors, by group then command id (smp.md §3, field-group.md). */
const NAMES: Record<number, Record<number, string>> = {
  [SmpGroup.os]: {
    [OsCmd.echo]: 'echo',
    [OsCmd.consoleEcho]: 'console echo',
    [OsCmd.taskStats]: 'task statistics',
    [OsCmd.memoryPoolStats]: 'memory pool statistics',
    [OsCmd.dateTime]: 'date-time',
    [OsCmd.reset]: 'reset',
    [OsCmd.mcumgrParams]: 'mcumgr params',
    [OsCmd.info]: 'OS info',
    [OsCmd.bootloaderInfo]: 'bootloader info',
  },
  [SmpGroup.image]: {
    [ImageCmd.state]: 'image state',
    [ImageCmd.upload]: 'image upload',
    [ImageCmd.erase]: 'image erase',
    [ImageCmd.slotInfo]: 'slot info',
  },
  [SmpGroup.stats]: { [StatsCmd.read]: 'statistics read', [StatsCmd.list]: 'statistics list' },
  [SmpGroup.settings]: {
    [SettingsCmd.readWrite]: 'settings read/write',
    [SettingsCmd.delete]: 'settings delete',
    [SettingsCmd.commit]: 'settings commit',
    [SettingsCmd.loadSave]: 'settings load/save',
  },
  [SmpGroup.shell]: { [ShellCmd.exec]: 'shell command' },
  [SmpGroup.field]: {
    [FieldCmd.identity]: 'field identity',
    [FieldCmd.scan]: 'gateway scan',
    [FieldCmd.stage]: 'gateway stage',
    [FieldCmd.batch]: 'gateway batch',
    [FieldCmd.batchStatus]: 'gateway batch status',
    [FieldCmd.batchCancel]: 'gateway batch cancel',
    [FieldCmd.forward]: 'gateway forward',
    [FieldCmd.led]: 'field LED',
  },
};

/** The command's name with its numbers, e.g. `image upload (group 1, command 1)`. */
export function commandName(group: number, id: number): string {
  const name = NAMES[group]?.[id];
  return name ? `${name} (group ${group}, command ${id})` : `group ${group}, command ${id}`;
}
