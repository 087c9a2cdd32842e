/**
 * `siteflash gateway identity|scan|stage|batch|status|cancel|forward|led --port PATH`: the field
 * group's gateway commands (field-group.md) from the command line, over a serial link to the
 * gateway. `stage` verifies the image offline first, as `upload` does; `batch` is a job of the core
 * (a stored release with --bundle, or one IMAGE verified by the core), journaled and in History.
 */
import { fieldIdentity, LED_PATTERNS, type LedPattern } from '../../devices/commands/field';
import { imageState } from '../../devices/commands/image';
import { echo, reset } from '../../devices/commands/os';
import { settingsRead } from '../../devices/commands/settings';
import { openFileSource } from '../../devices/image-source';
import { negotiateParams } from '../../devices/params';
import type { SmpSession } from '../../devices/session';
import type { BatchStatus } from '../../gateway/answers';
import { GatewayClient } from '../../gateway/gateway-client';
import type { ValidVerdict } from '../../image/types';
import { createLink, type LinkDescriptor } from '../../links/factory';
import type { Link } from '../../links/link';
import { EXIT, UsageError, wholeNumber, type CliContext, type Command } from '../command';
import { parsePortArgs, PORT_USAGE, withSession, type ExtraOptions, type OptionValues } from '../port-session';
import { verifyWithKeyStore } from '../verify-with-key-store';
import { Core } from '../../core';
import { argSchemas } from '../../schemas';
import { askOnStdin, exitCodeOf, followJobs, jobSummary } from '../job-terminal';

/** What the gateway commands use of the world; tests pass a link to a simulated gateway. */
export interface GatewayCommandDeps {
  openLink(descriptor: LinkDescriptor): Link;
  verify(path: string, ctx: CliContext): Promise<ValidVerdict>;
}

type Body = (client: GatewayClient, session: SmpSession, values: OptionValues, args: string[], ctx: CliContext) => Promise<number>;

const FORWARD_COMMANDS = 'echo TEXT | identity | image-state | settings-read NAME | reset';

/** The `gateway …` commands over the given seams. */
export function makeGatewayCommands(deps: Partial<GatewayCommandDeps> = {}): Command[] {
  const d: GatewayCommandDeps = { openLink: (x) => createLink(x), verify: verifyWithKeyStore, ...deps };
  const cmd = (verb: string, summary: string, usage: string, extra: ExtraOptions, body: Body): Command => ({
    name: `gateway ${verb}`,
    summary,
    usage: `gateway ${verb} ${usage}`.trim(),
    run: (argv, ctx) => withGateway(d, argv, extra, ctx, body),
  });
  return [
    cmd('identity', 'Show what a gateway is (field identity)', PORT_USAGE, {}, async (client, _s, _v, _a, ctx) => {
      const id = await client.identity(ctx.signal);
      ctx.out(ctx.json ? JSON.stringify(id, null, 2) : `gateway ${id.id} board ${id.board} hw ${id.hw}, radio ${id.radio}, version ${id.version}`);
      return EXIT.ok;
    }),
    cmd('scan', 'List the devices a gateway hears, update-mode first', `${PORT_USAGE} [--ms N]`, { ms: { type: 'string' } }, async (client, _s, v, _a, ctx) => {
      const devices = await client.scan(v.ms === undefined ? undefined : wholeNumber(String(v.ms), '--ms'), ctx.signal);
      if (ctx.json) ctx.out(JSON.stringify({ devices }, null, 2));
      else ctx.out(devices.length === 0 ? 'No devices heard.' : devices.map((x) => `${x.id}  ${x.board} hw ${x.hw}  ${x.version}  ${x.mode.padEnd(6)}  ${x.rssi} dBm  led ${x.led}`).join('\n'));
      return EXIT.ok;
    }),
    cmd('stage', 'Verify an image, then put it on the gateway (resumable)', `IMAGE ${PORT_USAGE}`, {}, async (client, session, _v, args, ctx) => {
      const verdict = await stageFile(client, session, args, d, ctx);
      ctx.out(ctx.json ? JSON.stringify({ staged: args[0], sha256: verdict.fileSha256 }) : `Staged ${args[0]} (${verdict.fileSize} bytes, sha256 ${verdict.fileSha256}).`);
      return EXIT.ok;
    }),
    {
      name: 'gateway batch',
      summary: 'Update devices through the gateway as a job of the core (journaled, in History): a stored release (--bundle) or one IMAGE',
      usage: `gateway batch (--bundle ID | IMAGE) --targets ID,ID… ${PORT_USAGE} [--allow-downgrade] [--no-confirm] [--site NAME] [--technician NAME]`,
      help: [
        'The batch is a job of the core, as on the Update screen: each device gets the release\'s image for its board and',
        'hardware revision (IMAGE: the image, verified with the trusted image keys, if it is tagged for the device\'s board);',
        'no downgrade unless --allow-downgrade. Every device ends in `siteflash history` and the app\'s History.',
        '',
        `exit codes: ${EXIT.ok} every device done, ${EXIT.failed} a device failed or IMAGE did not verify, ${EXIT.usage} usage, ${EXIT.unreachable} gateway unreachable, ${EXIT.refused} only refusals by the selection rules`,
      ].join('\n'),
      run: (argv, ctx) => batchViaCore(argv, ctx),
    },
    cmd('status', 'Show a gateway batch and each target', `JOB ${PORT_USAGE}`, {}, async (client, _s, _v, args, ctx) => report(jobArg(args), await client.batchStatus(jobArg(args), ctx.signal), ctx, true)),
    cmd('cancel', 'Cancel a gateway batch (installing targets finish)', `JOB ${PORT_USAGE}`, {}, async (client, _s, _v, args, ctx) => {
      await client.batchCancel(jobArg(args), ctx.signal);
      ctx.out(ctx.json ? JSON.stringify({ cancelled: jobArg(args) }) : `Batch ${jobArg(args)} cancelled.`);
      return EXIT.ok;
    }),
    cmd('forward', 'Run a device command on one device behind the gateway', `TARGET (${FORWARD_COMMANDS}) ${PORT_USAGE}`, {}, async (client, _s, _v, args, ctx) => {
      const [target, what, ...rest] = args;
      if (!target || !what) throw new UsageError(`give a TARGET and one of: ${FORWARD_COMMANDS}`);
      const dev = await client.forwardSession(target);
      try {
        const result = await forwardCommand(dev, what, rest, ctx.signal);
        ctx.out(ctx.json ? JSON.stringify({ target, result }, null, 2) : typeof result === 'string' ? result : JSON.stringify(result, null, 2));
        return EXIT.ok;
      } finally {
        dev.dispose();
        await dev.link.close();
      }
    }),
    cmd('led', 'Make one device behind the gateway blink so you can find it', `TARGET ${PORT_USAGE} [--pattern NAME]`, { pattern: { type: 'string' } }, async (client, _s, v, args, ctx) => {
      const target = args[0];
      if (!target) throw new UsageError('give the TARGET device id');
      const pattern = String(v.pattern ?? 'identify');
      if (!LED_PATTERNS.includes(pattern as LedPattern)) throw new UsageError(`--pattern must be one of ${LED_PATTERNS.join(', ')}`);
      await client.led(pattern as LedPattern, target, ctx.signal);
      ctx.out(ctx.json ? JSON.stringify({ target, pattern }) : `Device ${target} shows ${pattern}.`);
      return EXIT.ok;
    }),
  ];
}

/** `gateway batch`: the gateway becomes the core's gateway and the batch a job of the core (journaled, in History). */
async function batchViaCore(argv: string[], ctx: CliContext): Promise<number> {
  const { values, positionals, descriptor } = parsePortArgs(argv, {
    bundle: { type: 'string' },
    targets: { type: 'string' },
    'allow-downgrade': { type: 'boolean' },
    'no-confirm': { type: 'boolean' },
    site: { type: 'string' },
    technician: { type: 'string' },
  });
  const image = positionals[0];
  if (values.bundle !== undefined && positionals.length > 0) throw new UsageError('--bundle takes no IMAGE');
  if (values.bundle === undefined && (!image || positionals.length > 1)) throw new UsageError('give --bundle ID or exactly one IMAGE file');
  const ids = String(values.targets ?? '').split(',').filter(Boolean);
  if (ids.length === 0) throw new UsageError('--targets ID,ID… is required');
  const request = {
    ...(values.bundle === undefined ? {} : { bundleId: String(values.bundle) }),
    // Each id is named by itself: a development device among them counts as chosen one by one.
    targets: ids.map((deviceId) => ({ link: { kind: 'gateway', deviceId }, expectedDeviceId: deviceId, oneByOne: true })),
    policy: { ledConfirm: values['no-confirm'] !== true, retries: 3, afterRejoin: 'confirm', ...(values['allow-downgrade'] === true ? { allowDowngrade: true } : {}) },
  };
  // The same schema as every adapter's request; an IMAGE job is checked with a stand-in for the bundle it does not name.
  const parsed = argSchemas['job:start'].safeParse(image === undefined ? request : { ...request, bundleId: 'image' });
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; '));
  if (descriptor.kind !== 'serial') throw new UsageError('the gateway is reached on a serial --port');
  const core = new Core({ dataDir: ctx.dataDir, host: 'cli', logToFile: false, jobs: { program: 'siteflash gateway batch' } });
  try {
    await core.services.connectGateway(descriptor.path, descriptor.baudRate);
    const who = { ...(typeof values.technician === 'string' ? { technician: values.technician } : {}), ...(typeof values.site === 'string' ? { site: values.site } : {}) };
    const { targets, policy } = parsed.data;
    const started = image === undefined ? await core.services.startJob(parsed.data, who) : await core.services.startImageJob(image, { targets, policy }, who);
    const jobs = await followJobs(core.services.jobs, [started.id], askOnStdin, ctx);
    if (ctx.json) ctx.out(JSON.stringify({ jobs }, null, 2));
    else for (const job of jobs) ctx.out(jobSummary(job));
    return exitCodeOf(jobs, ctx);
  } finally {
    await core.services.gateway.disconnect();
    await core.close();
  }
}

/** The `gateway …` commands with the real serial ports and key store. */
export const gatewayCommands: Command[] = makeGatewayCommands();

async function forwardCommand(dev: SmpSession, what: string, rest: string[], signal: AbortSignal): Promise<unknown> {
  switch (what) {
    case 'echo':
      return echo(dev, rest.join(' '), signal);
    case 'identity':
      return (await fieldIdentity(dev, signal)) ?? 'The device has no field group.';
    case 'image-state':
      return (await imageState(dev, signal)).map((s) => ({ ...s, hash: Buffer.from(s.hash).toString('hex') }));
    case 'settings-read': {
      if (!rest[0]) throw new UsageError('settings-read needs a NAME');
      return Buffer.from(await settingsRead(dev, rest[0], signal)).toString('hex');
    }
    case 'reset':
      await reset(dev, { signal });
      return 'Reset sent.';
    default:
      throw new UsageError(`unknown forward command "${what}"; use one of: ${FORWARD_COMMANDS}`);
  }
}

async function stageFile(client: GatewayClient, session: SmpSession, args: string[], d: GatewayCommandDeps, ctx: CliContext): Promise<ValidVerdict> {
  const path = args[0];
  if (!path || args.length > 1) throw new UsageError('give exactly one IMAGE file');
  const verdict = await d.verify(path, ctx);
  const params = await negotiateParams(session, { signal: ctx.signal });
  const source = await openFileSource(path);
  try {
    await client.stage(source, { bufSize: params.bufSize, sha: Uint8Array.from(Buffer.from(verdict.fileSha256, 'hex')), signal: ctx.signal });
  } finally {
    await source.close();
  }
  return verdict;
}

function report(job: number, status: BatchStatus, ctx: CliContext, always = false): number {
  if (ctx.json) ctx.out(JSON.stringify({ job, ...status }, null, 2));
  else ctx.out([`batch ${job}: ${status.state}`, ...status.targets.map((t) => `  ${t.id}  ${t.state.padEnd(12)} ${t.bytes}/${t.total}${t.err ? `  ${t.err}` : ''}`)].join('\n'));
  const bad = status.targets.some((t) => t.state === 'failed' || t.state === 'rolled_back');
  return always || !bad ? EXIT.ok : EXIT.failed;
}

async function withGateway(d: GatewayCommandDeps, argv: string[], extra: ExtraOptions, ctx: CliContext, body: Body): Promise<number> {
  const { values, positionals, descriptor } = parsePortArgs(argv, extra);
  return withSession(d.openLink(descriptor), ctx.signal, (session) => body(new GatewayClient(session), session, values, positionals, ctx));
}

function jobArg(args: string[]): number {
  if (args.length !== 1 || args[0] === undefined) throw new UsageError('give exactly one JOB number');
  return wholeNumber(args[0], 'JOB');
}
