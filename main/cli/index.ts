#!/usr/bin/env node
import { version } from '../../package.json';
import { defaultDataDir, restrictNewFiles } from '../paths';
import { EXIT, UsageError, type CliContext, type Command } from './command';
import { commands } from './commands';
import { terminalSafe } from './terminal-text';

/** `siteflash`: the CLI adapter over the core. Human output by default, `--json` for machines. */
export async function runCli(argv: string[], ctx: Omit<CliContext, 'json'>): Promise<number> {
  const json = argv.includes('--json');
  const args = argv.filter((a) => a !== '--json');
  // Human output goes through terminalSafe, so no device string can drive the terminal; JSON is left whole.
  const full: CliContext = { ...ctx, json, out: json ? ctx.out : (t) => ctx.out(terminalSafe(t)) };
  if (args.length === 0 || args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
    full.out(helpText());
    return args.length === 0 ? EXIT.usage : EXIT.ok;
  }
  if (args[0] === '--version') {
    full.out(json ? JSON.stringify({ version }) : version);
    return EXIT.ok;
  }
  const command = findCommand(args);
  if (!command) {
    full.err(`siteflash: unknown command '${args.slice(0, 2).join(' ')}'. Run 'siteflash --help' for the list.`);
    return EXIT.usage;
  }
  const rest = args.slice(command.name.split(' ').length);
  if (rest.includes('--help') || rest.includes('-h')) {
    full.out(`usage: siteflash ${command.usage}\n\n${command.summary}${command.help ? `\n\n${command.help}` : ''}`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, full);
  } catch (err) {
    if (err instanceof UsageError) {
      full.err(`siteflash ${command.name}: ${err.message}\nusage: siteflash ${command.usage}`);
      return EXIT.usage;
    }
    const kind = err && typeof err === 'object' && 'kind' in err ? String((err as { kind: unknown }).kind) : 'internal';
    const message = err instanceof Error ? err.message : String(err);
    if (json) full.out(JSON.stringify({ error: { kind, message } }));
    else full.err(`siteflash ${command.name}: ${terminalSafe(message)}`);
    return kind === 'internal' ? EXIT.failed : unreachableKinds.has(kind) ? EXIT.unreachable : EXIT.failed;
  }
}

const unreachableKinds = new Set(['not-found', 'permission-denied', 'busy', 'adapter-off', 'out-of-range', 'port-not-found', 'timeout', 'link-closed']);

function findCommand(args: string[]): Command | undefined {
  const two = args.slice(0, 2).join(' ');
  return commands.find((c) => c.name === two) ?? commands.find((c) => c.name === args[0]);
}

function helpText(): string {
  return [
    `siteflash ${version} — update, commission and re-key IoT devices on site`,
    '',
    'usage: siteflash <command> [options] [--json]',
    '',
    'commands:',
    ...commands.flatMap((c) => [`  ${c.usage}`, `      ${c.summary}`]),
    '',
    'options for every command:',
    '  --json      print one JSON document on stdout (errors as {"error":{kind,message}})',
    '  --help      show the usage of a command',
    '',
    'exit codes:',
    `  ${EXIT.ok}    success (verify: the image is valid)`,
    `  ${EXIT.failed}    the command ran and the answer is negative or the operation failed`,
    `  ${EXIT.usage}    usage error: unknown command, bad or missing option`,
    `  ${EXIT.unreachable}    a port, device or file could not be reached`,
    `  ${EXIT.refused}    update: a device was refused before anything was sent (e.g. a downgrade without --allow-downgrade, an image for another board)`,
    `  ${EXIT.interrupted}  interrupted (Ctrl-C)`,
  ].join('\n');
}

/** True when this module is the program being run (not imported by a test). */
function isMain(): boolean {
  const entry = process.argv[1] ?? '';
  return /(^|[\\/])(cli\.js|siteflash(\.js)?|cli[\\/]index\.ts)$/.test(entry);
}

if (isMain()) {
  restrictNewFiles();
  const controller = new AbortController();
  let interrupted = false;
  // The first Ctrl-C (or SIGTERM) cancels the command, which then cleans up (closes ports, stops
  // socat). The second ends the process by the signal's default action, at once: process.exit()
  // would wait for Node's file-I/O threads, and one of them may be stuck on a device or pipe.
  const stop = (signal: NodeJS.Signals) => {
    if (interrupted) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
      return;
    }
    interrupted = true;
    process.stderr.write(`Stopping… (${signal === 'SIGINT' ? 'press Ctrl-C again' : 'send it again'} to end at once)\n`);
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // stdout is the command's output only (a table, or one JSON document with --json): libraries that
  // print with console.log (noble's adapter warnings) go to stderr.
  console.log = (...args: unknown[]) => console.error(...args);
  const code = await runCli(process.argv.slice(2), {
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
    isTTY: Boolean(process.stdout.isTTY),
    dataDir: defaultDataDir(),
    signal: controller.signal,
  });
  process.exitCode = interrupted && code === EXIT.ok ? EXIT.ok : code;
}
