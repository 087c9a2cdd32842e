/**
 * `siteflash rekey --port PATH [--port PATH]... --project ID --pan N --channel N --security S [--json]`
 * writes a project's network settings to devices as one journaled job (the key comes from the
 * keychain); `siteflash secrets set-net-key --project ID` stores that key (32 hex characters read
 * from stdin, never from the command line) and `siteflash secrets status` lists what is set.
 */
import { userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { setNetKey } from '../../commission/net-key';
import { NET_SECURITY, parseSettingNumber, type NetSecurity } from '../../commission/net-settings';
import { networkJobSpec } from '../../commission/network-job';
import type { DeviceDriver } from '../../jobs/driver';
import { SmpDriver } from '../../jobs/smp-driver';
import { secretsFacade } from '../../secrets/secrets-facade';
import { SecretStore } from '../../secrets/secret-store';
import { EXIT, parseOptions, UsageError, type CliContext, type Command } from '../command';
import { askOnStdin, runJobs, type AskYesNo } from '../job-terminal';

/** What the re-key and secrets commands use of the world; tests pass their own. */
export interface RekeyCommandDeps {
  driver(ctx: CliContext): DeviceDriver;
  /** The keychain (core-internal: the engine reads the key from it, the CLI only stores and lists). */
  store(): SecretStore;
  /** Asks the technician a yes/no question (the joined LED). */
  ask: AskYesNo;
  /** Reads the key text from stdin without echoing it on a terminal. */
  readSecret(prompt: string, ctx: CliContext): Promise<string>;
}

const REKEY_OPTIONS = {
  port: { type: 'string', multiple: true },
  baud: { type: 'string' },
  project: { type: 'string' },
  pan: { type: 'string' },
  channel: { type: 'string' },
  security: { type: 'string' },
  site: { type: 'string' },
  technician: { type: 'string' },
  'no-confirm': { type: 'boolean' },
  retries: { type: 'string' },
  resume: { type: 'boolean' },
} as const;

/** `rekey`, `secrets set-net-key` and `secrets status` over the given seams. */
export function makeRekeyCommands(deps: Partial<RekeyCommandDeps> = {}): Command[] {
  const d: RekeyCommandDeps = { driver: () => new SmpDriver(), store: () => new SecretStore(), ask: askOnStdin, readSecret: readHidden, ...deps };
  const rekey: Command = {
    name: 'rekey',
    summary: 'Write a project\'s network settings (PAN, channel, key, security) to devices on serial ports as one job',
    usage: 'rekey --port PATH [--port PATH]... --project ID --pan N --channel N --security S [--site NAME] [--technician NAME] [--no-confirm] [--json] | rekey --resume [--json]',
    run: async (argv, ctx) => {
      const { values } = parseOptions(argv, REKEY_OPTIONS, false);
      return runJobs(ctx, { driver: d.driver(ctx), secrets: d.store(), ask: d.ask }, (service) => {
        if (values.resume && (values.port || values.project)) throw new UsageError('--resume takes no --port or --project');
        // Resuming picks up every unfinished job, updates too: this service has the driver and the key source both need.
        return values.resume ? service.resumeUnfinished() : [service.start(rekeySpec(values))];
      });
    },
  };
  const setKey: Command = {
    name: 'secrets set-net-key',
    summary: 'Store a project\'s network key in the system keychain (32 hex characters on stdin)',
    usage: 'secrets set-net-key --project ID   (the key is read from stdin, never from the command line)',
    run: async (argv, ctx) => {
      const { values } = parseOptions(argv, { project: { type: 'string' } }, false);
      if (!values.project) throw new UsageError('give --project ID');
      const text = await d.readSecret(`Network key for project ${values.project} (32 hex characters): `, ctx);
      await setNetKey(secretsFacade(d.store()), values.project, text);
      ctx.out(ctx.json ? JSON.stringify({ project: values.project, stored: true }) : `Stored the network key of project ${values.project} in the system keychain.`);
      return EXIT.ok;
    },
  };
  const status: Command = {
    name: 'secrets status',
    summary: 'List which secrets are set in the system keychain (names only, never values)',
    usage: 'secrets status [--json]',
    run: async (argv, ctx) => {
      parseOptions(argv, {}, false);
      const names = await secretsFacade(d.store()).list();
      const projects = names.filter((n) => n.startsWith('net-key:')).map((n) => n.slice('net-key:'.length));
      if (ctx.json) ctx.out(JSON.stringify({ cloudToken: names.includes('cloud-token'), netKeys: projects }));
      else ctx.out([`cloud token: ${names.includes('cloud-token') ? 'set' : 'not set'}`, `network keys: ${projects.length ? projects.join(', ') : 'none'}`].join('\n'));
      return EXIT.ok;
    },
  };
  return [rekey, setKey, status];
}

/** The commands over real serial ports and the system keychain. */
export const rekeyCommands: Command[] = makeRekeyCommands();

type Values = ReturnType<typeof parseOptions<typeof REKEY_OPTIONS>>['values'];

function rekeySpec(values: Values) {
  const ports = values.port ?? [];
  if (ports.length === 0) throw new UsageError('give at least one --port PATH');
  if (!values.project) throw new UsageError('give --project ID (its network key is taken from the keychain)');
  const panId = number(values.pan, '--pan', 0xffff);
  const channel = number(values.channel, '--channel', 0xff);
  const security = values.security;
  if (!security || !(NET_SECURITY as readonly string[]).includes(security)) throw new UsageError(`--security must be one of ${NET_SECURITY.join(', ')}`);
  const baudRate = values.baud === undefined ? undefined : number(values.baud, '--baud', Number.MAX_SAFE_INTEGER);
  return networkJobSpec({
    targets: ports.map((path) => ({ link: { kind: 'serial', path, ...(baudRate ? { baudRate } : {}) } })),
    network: { projectId: values.project, panId, channel, security: security as NetSecurity },
    technician: values.technician ?? userInfo().username,
    ...(values.site ? { site: values.site } : {}),
    policy: { ledConfirm: values['no-confirm'] !== true, ...(values.retries === undefined ? {} : { retries: number(values.retries, '--retries', 100) }) },
  });
}

function number(text: string | undefined, option: string, max: number): number {
  if (text === undefined) throw new UsageError(`give ${option} N`);
  const n = parseSettingNumber(text);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new UsageError(`${option} must be a whole number from 0 to ${max} (decimal or 0x hex), not "${text}"`);
  return n;
}

/** Reads one line from stdin; on a terminal the prompt goes to stderr and what is typed is not echoed. */
async function readHidden(prompt: string, ctx: CliContext): Promise<string> {
  const tty = process.stdin.isTTY === true;
  if (tty) ctx.err(prompt);
  const muted = new Writable({ write: (_chunk, _enc, done) => done() });
  const rl = createInterface({ input: process.stdin, output: muted, terminal: tty });
  try {
    for await (const line of rl) return line;
    throw new UsageError('no key on stdin: pipe the 32 hex characters in, or type them when asked');
  } finally {
    rl.close();
  }
}
