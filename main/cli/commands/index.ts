import type { Command } from '../command';
import { portsCommand } from './ports';

/** Every `siteflash` sub-command, in the order `--help` lists them. */
export const commands: Command[] = [portsCommand];
