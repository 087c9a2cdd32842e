import type { Command } from '../command';
import { auditVerifyCommand } from './audit';
import { reportCommands } from './report';
import { bundleCommands } from './bundle';
import { deviceCommands } from './device';
import { historyCommand } from './history';
import { devicesCommand } from './devices';
import { gatewayCommands } from './gateway';
import { inspectCommand } from './inspect';
import { keysCommands } from './keys';
import { portsCommand } from './ports';
import { preflightCommand } from './preflight';
import { rekeyCommands } from './rekey';
import { simCommand } from './sim';
import { updateCommand } from './update';
import { verifyCommand } from './verify';

/** Every `siteflash` sub-command, in the order `--help` lists them. */
export const commands: Command[] = [portsCommand, devicesCommand, ...deviceCommands, updateCommand, historyCommand, ...gatewayCommands, verifyCommand, inspectCommand, ...bundleCommands, ...keysCommands, ...rekeyCommands, simCommand, auditVerifyCommand, ...reportCommands, preflightCommand];
