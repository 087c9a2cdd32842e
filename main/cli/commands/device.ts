import { imageState, type SlotState } from '../../devices/commands/image';
import { CLI_WORDS, confirmSlot, eraseSlot } from '../../devices/slot-actions';
import { bootloaderInfo, echo, isNotSupported, osInfo, reset } from '../../devices/commands/os';
import { fieldIdentity, type DeviceIdentity } from '../../devices/commands/field';
import { checkImageFits } from '../../devices/image-fit';
import { usbSerialOf } from '../../devices/identity-proof';
import { boardOf } from '../../image/board-tag';
import { openFileSource } from '../../devices/image-source';
import { chooseWindow, negotiateParams } from '../../devices/params';
import type { SmpSession } from '../../devices/session';
import { NOT_SWAPPED_TEXT, runUpdate, type UpdateOutcome } from '../../devices/update-flow';
import { uploadImage } from '../../devices/upload';
import type { ValidVerdict } from '../../image/types';
import { createLink, type LinkDescriptor } from '../../links/factory';
import type { Link } from '../../links/link';
import { EXIT, UsageError, wholeNumber, type CliContext, type Command } from '../command';
import { parsePortArgs, PORT_USAGE, withSession, type ExtraOptions, type OptionValues } from '../port-session';
import { verifyWithKeyStore } from '../verify-with-key-store';

/** What the device commands use of the world; tests pass a loopback link to a simulator. */
export interface DeviceCommandDeps {
  openLink(descriptor: LinkDescriptor): Link;
  /** Verifies an image file before upload (default: main/image with the key store of ctx.dataDir). */
  verify(path: string, ctx: CliContext): Promise<ValidVerdict>;
}

/** The device commands (`info`, `image list`, `upload`, `reset`, `echo`), over the given seams. */
export function makeDeviceCommands(deps: Partial<DeviceCommandDeps> = {}): Command[] {
  const d: DeviceCommandDeps = { openLink: (x) => createLink(x), verify: verifyWithKeyStore, ...deps };
  return [
    {
      name: 'info',
      summary: 'Show what a device is: OS, bootloader, SMP buffers, field identity, images',
      usage: `info ${PORT_USAGE} [--json]`,
      run: (argv, ctx) =>
        withPortSession(d, argv, {}, ctx, async (session) => {
          const params = await negotiateParams(session, { signal: ctx.signal });
          const os = await osInfo(session, 'a', ctx.signal).catch((e: unknown) => (isNotSupported(e) ? undefined : Promise.reject(e)));
          const bootloader = await bootloaderInfo(session, ctx.signal).catch((e: unknown) => (isNotSupported(e) ? undefined : Promise.reject(e)));
          const identity = await fieldIdentity(session, ctx.signal);
          const images = (await imageState(session, ctx.signal)).map(slotJson);
          if (ctx.json) ctx.out(JSON.stringify({ port: session.link.id, params, os, bootloader, identity, images }, null, 2));
          else {
            const lines = [
              `port        ${session.link.id}`,
              `os          ${os ?? '(not reported)'}`,
              `bootloader  ${bootloader ? `${bootloader.bootloader}${bootloader.mode === undefined ? '' : ` (mode ${bootloader.mode})`}` : '(not reported)'}`,
              `smp buffers ${params.bufCount} × ${params.bufSize} bytes${params.fromDevice ? '' : ' (device did not tell; safe defaults)'}`,
            ];
            if (identity) lines.push(`identity    ${identity.id} board ${identity.board} hw ${identity.hw} ${identity.role}, ${identity.mode} mode, version ${identity.version}`);
            ctx.out([...lines, '', formatSlots(images)].join('\n'));
          }
          return EXIT.ok;
        }),
    },
    {
      name: 'image list',
      summary: "List the images in a device's slots (version, hash, flags)",
      usage: `image list ${PORT_USAGE} [--json]`,
      run: (argv, ctx) =>
        withPortSession(d, argv, {}, ctx, async (session) => {
          const images = (await imageState(session, ctx.signal)).map(slotJson);
          ctx.out(ctx.json ? JSON.stringify({ images }, null, 2) : formatSlots(images));
          return EXIT.ok;
        }),
    },
    {
      name: 'image erase',
      summary: 'Erase a slot (default 1). Exit 0 erased, 1 the device refused (e.g. an image pending there), 3 unreachable',
      usage: `image erase ${PORT_USAGE} [--slot N] [--json]`,
      run: (argv, ctx) =>
        withPortSession(d, argv, { slot: { type: 'string' } }, ctx, async (session, values) => {
          const slot = values.slot === undefined ? undefined : wholeNumber(String(values.slot), '--slot', 0);
          const outcome = await eraseSlot(session, slot, CLI_WORDS, ctx.signal);
          if (!outcome.done) {
            if (ctx.json) ctx.out(JSON.stringify({ error: { kind: 'refused', message: outcome.message } }));
            else ctx.err(outcome.message);
            return EXIT.failed;
          }
          ctx.out(ctx.json ? JSON.stringify({ erased: slot ?? 1 }) : outcome.message);
          return EXIT.ok;
        }),
    },
    {
      name: 'image confirm',
      summary: 'Confirm the running image, or with HASH (hex, or a unique start of it) make that image permanent. Exit 0 done, 1 refused, 3 unreachable',
      usage: `image confirm [HASH] ${PORT_USAGE} [--json]`,
      run: (argv, ctx) =>
        withPortSession(d, argv, {}, ctx, async (session, _values, positionals) => {
          if (positionals.length > 1) throw new UsageError('give at most one HASH');
          const given = positionals[0]?.toLowerCase();
          if (given !== undefined && !/^[0-9a-f]{8,128}$/.test(given)) throw new UsageError('HASH must be hex, at least 8 digits (as `image list` prints it)');
          const outcome = await confirmSlot(session, given, ctx.signal);
          if (!outcome.done) {
            if (ctx.json) ctx.out(JSON.stringify({ error: { kind: 'refused', message: outcome.message } }));
            else ctx.err(outcome.message);
            return EXIT.failed;
          }
          const images = outcome.slots.map(slotJson);
          const confirmed = given === undefined ? 'running' : (images.find((s) => s.hash.startsWith(given))?.hash ?? given);
          ctx.out(ctx.json ? JSON.stringify({ confirmed, images }, null, 2) : `${outcome.message}\n\n${formatSlots(images)}`);
          return EXIT.ok;
        }),
    },
    {
      name: 'upload',
      summary: 'Verify a signed image, then upload it (with --install: test, reset, wait, confirm)',
      usage: `upload IMAGE ${PORT_USAGE} [--window N | --no-pipeline] [--line-buffers N] [--install] [--json]`,
      help: [
        '--window N        requests in flight (default: from the device\'s mcumgr params; 1 = no pipelining)',
        '--line-buffers N  serial: 128-byte lines the device\'s UART holds while it works on a request, sent ahead',
        '                  of its answer (default: 7 for MCUboot serial recovery recognised by a 1020-byte probe,',
        '                  2 for any other serial server, e.g. Zephyr\'s CONFIG_UART_MCUMGR_RX_BUF_COUNT=2; 0 = none)',
      ].join('\n'),
      run: (argv, ctx) =>
        withPortSession<ExtraOptions, UploadPlan>(
          d,
          argv,
          { window: { type: 'string' }, 'no-pipeline': { type: 'boolean' }, 'line-buffers': { type: 'string' }, install: { type: 'boolean' } },
          ctx,
          (session, values, _positionals, plan) => uploadRun(session, values.install === true, plan, ctx),
          // Checked before the port is opened: a bad file or option never reaches a device.
          async (values, positionals): Promise<UploadPlan> => {
            const path = positionals[0];
            if (!path || positionals.length > 1) throw new UsageError('give exactly one IMAGE file');
            const window = values['no-pipeline'] ? 1 : values.window === undefined ? undefined : wholeNumber(String(values.window), '--window');
            const raw = values['line-buffers'];
            const lineBuffers = raw === undefined ? undefined : lineCount(String(raw));
            return { path, window, lineBuffers, verdict: await d.verify(path, ctx) };
          },
        ),
    },
    {
      name: 'reset',
      summary: 'Reset a device (--force: even when its application refuses)',
      usage: `reset ${PORT_USAGE} [--force] [--json]`,
      run: (argv, ctx) =>
        withPortSession(d, argv, { force: { type: 'boolean' } }, ctx, async (session, values) => {
          await reset(session, { force: values.force === true, signal: ctx.signal });
          ctx.out(ctx.json ? JSON.stringify({ reset: true }) : 'The device is resetting.');
          return EXIT.ok;
        }),
    },
    {
      name: 'echo',
      summary: 'Send text to a device and print its echo (a link check)',
      usage: `echo TEXT ${PORT_USAGE} [--json]`,
      run: (argv, ctx) =>
        withPortSession(d, argv, {}, ctx, async (session, _values, positionals) => {
          if (positionals.length === 0) throw new UsageError('give the TEXT to echo');
          const text = positionals.join(' ');
          const answer = await echo(session, text, ctx.signal);
          ctx.out(ctx.json ? JSON.stringify({ echo: answer }) : answer);
          return answer === text ? EXIT.ok : EXIT.failed;
        }),
    },
  ];
}

interface UploadPlan {
  path: string;
  window: number | undefined;
  lineBuffers: number | undefined;
  verdict: ValidVerdict;
}

/** `--line-buffers N`: 0 to 64 lines (MCUboot's CONFIG_BOOT_LINE_BUFS and Zephyr's buffer counts are small). */
function lineCount(text: string): number {
  const n = /^\d{1,2}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 0 && n <= 64)) throw new UsageError(`--line-buffers takes a whole number from 0 to 64, not "${text}"`);
  return n;
}

/** `upload`: the bytes only, or with `install` the whole update flow (smp.md §5.7). */
async function uploadRun(session: SmpSession, install: boolean, { path, window, lineBuffers, verdict }: UploadPlan, ctx: CliContext): Promise<number> {
  const lines = lineBuffers === undefined ? {} : { lineBuffers };
  const source = await openFileSource(path);
  const bar = progressBar(ctx);
  const sha = Buffer.from(verdict.fileSha256, 'hex');
  const version = verdict.image.version;
  const facts = { version, hashAlg: verdict.image.hashAlg, board: boardOf(verdict.image) };
  const warn = (warnings: string[]) => warnings.forEach((w) => ctx.err(`warning: ${w}`));
  try {
    if (install) {
      const hash = Buffer.from(verdict.image.hash, 'hex');
      const onStep = (step: string) => !ctx.json && ctx.err(`${step}…`);
      const check = async (identity: DeviceIdentity | undefined) => warn(await checkImageFits(session, facts, identity, ctx.signal));
      // A USB port's serial number is proof of which unit comes back after the reset, besides the field identity.
      const portPath = session.link.kind === 'serial' ? session.link.id.replace(/^serial:/, '') : undefined;
      const proof = portPath ? { proof: { usbSerial: () => usbSerialOf(portPath) } } : {};
      const result = await runUpdate(session, { source, hash, version, sha }, { window, ...lines, onProgress: bar, onStep, check, ...proof, signal: ctx.signal });
      const images = result.slots.map(slotJson);
      const identity = result.identity === 'unproven' ? '\nThe device gave no identity to compare after its reset (no field group, no USB serial number).' : '';
      ctx.out(ctx.json ? JSON.stringify({ outcome: result.outcome, version, identity: result.identity ?? null, images }, null, 2) : `${outcomeText(result.outcome, version)}${identity}\n\n${formatSlots(images)}`);
      return result.outcome === 'rolled-back' || result.outcome === 'not-swapped' ? EXIT.failed : EXIT.ok;
    }
    const params = await negotiateParams(session, { signal: ctx.signal, ...lines });
    if (window !== undefined) chooseWindow(session, window);
    // Board tag and hash TLV checked before any byte, as in --install.
    warn(await checkImageFits(session, facts, await fieldIdentity(session, ctx.signal), ctx.signal));
    const result = await uploadImage(session, source, { bufSize: params.bufSize, sha, onProgress: bar, signal: ctx.signal });
    if (ctx.json) ctx.out(JSON.stringify({ uploaded: result, version, window: session.window, lineBuffers: session.lineBuffers ?? null }, null, 2));
    else ctx.out(`Uploaded ${version} (${result.total} bytes${result.resumedFrom ? `, resumed at ${result.resumedFrom}` : ''}). Run with --install to test, reset and confirm it.`);
    return result.match === false ? EXIT.failed : EXIT.ok;
  } finally {
    await source.close();
  }
}

/** The device commands over real serial ports. */
export const deviceCommands: Command[] = makeDeviceCommands();

/** Parses the port options, runs `prepare` (before any port is touched), opens the link and runs `body` over a session. */
async function withPortSession<E extends ExtraOptions, P = undefined>(
  d: DeviceCommandDeps,
  argv: string[],
  extra: E,
  ctx: CliContext,
  body: (session: SmpSession, values: OptionValues, positionals: string[], prepared: P) => Promise<number>,
  prepare?: (values: OptionValues, positionals: string[]) => Promise<P>,
): Promise<number> {
  const { values, positionals, descriptor } = parsePortArgs(argv, extra);
  const prepared = (prepare ? await prepare(values, positionals) : undefined) as P;
  return withSession(d.openLink(descriptor), ctx.signal, (session) => body(session, values, positionals, prepared));
}

interface SlotJson extends Omit<SlotState, 'hash'> {
  hash: string;
}

function slotJson(s: SlotState): SlotJson {
  return { ...s, hash: Buffer.from(s.hash).toString('hex') };
}

function formatSlots(slots: SlotJson[]): string {
  if (slots.length === 0) return 'No images reported.';
  // A flag the device did not send is unknown: `?`, never shown as false.
  const names = ['active', 'confirmed', 'pending', 'permanent'] as const;
  const flags = (s: SlotJson) => (names.every((f) => s[f] === null) ? '?' : names.map((f) => (s[f] === null ? `${f}?` : s[f] ? f : '')).filter(Boolean).join(' ') || '-');
  const rows = [['IMAGE', 'SLOT', 'VERSION', 'HASH', 'FLAGS'], ...slots.map((s) => [String(s.image), String(s.slot), s.version, s.hash.slice(0, 16), flags(s)])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

function outcomeText(outcome: UpdateOutcome, version: string): string {
  if (outcome === 'confirmed') return `The device runs ${version} and has confirmed it.`;
  if (outcome === 'already-running') return `The device already runs ${version}.`;
  if (outcome === 'installed-by-bootloader') return `${version} was installed by the bootloader (serial recovery writes slot 0 directly; there is no test or confirm step).`;
  if (outcome === 'not-swapped') return `${version} ${NOT_SWAPPED_TEXT}: it is still pending in its slot and the device runs its old image.`;
  return `The device came back with its old image and ${version} is no longer pending: it was rolled back.`;
}

/** A progress line redrawn in place on a terminal; nothing otherwise. */
function progressBar(ctx: CliContext): ((bytes: number, total: number, rate: number, eta: number) => void) | undefined {
  if (!ctx.isTTY || ctx.json) return undefined;
  let drawn = false;
  let last = -1;
  return (bytes, total, rate, eta) => {
    const pct = total ? Math.floor((bytes / total) * 100) : 100;
    if (pct === last && bytes < total) return;
    last = pct;
    const width = 30;
    const filled = Math.round((pct / 100) * width);
    const etaText = Number.isFinite(eta) ? `${Math.ceil(eta)} s left` : '';
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)} %  ${(rate / 1024).toFixed(1)} KiB/s  ${etaText}`;
    // Each err() ends the line: go up one and clear it to draw over the last state.
    ctx.err(`${drawn ? '\x1b[1A\x1b[2K' : ''}${line}`);
    drawn = true;
  };
}
