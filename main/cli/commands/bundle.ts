/**
 * `siteflash bundle import PATH | verify ID | list [--json]`: release bundles (system versions)
 * kept for offline use in `<dataDir>/bundles/`. Exit 0 ok, 1 refused, 2 usage, 3 unreadable.
 */
import { SiteflashError } from '../../errors';
import { BundleStore } from '../../image/bundle-store';
import type { BundleVerdict } from '../../image/bundle-verify';
import { keyStoreFor } from '../../image/key-store';
import { EXIT, parseOptions, UsageError, type CliContext, type Command } from '../command';

function storeFor(ctx: CliContext): BundleStore {
  const keys = keyStoreFor(ctx.dataDir);
  return new BundleStore(ctx.dataDir, () => keys.keys());
}

/** JSON form of a bundle verdict (image verdicts shortened to what a script needs). */
function verdictJson(v: BundleVerdict & { storedAt?: string; alreadyStored?: boolean }) {
  if (!v.ok) return { ok: false, reason: v.reason, message: v.message, file: v.file ?? null, imageCategory: v.imageVerdict?.category ?? null };
  return {
    ok: true,
    id: v.manifest.id,
    systemVersion: v.manifest.systemVersion,
    releaseKey: v.releaseKey,
    storedAt: v.storedAt ?? null,
    alreadyStored: v.alreadyStored ?? false,
    components: v.manifest.components.map((c) => ({ board: c.board, hwRevisions: c.hwRevisions, version: c.version, file: c.file, size: c.size, sha256: c.sha256 })),
    images: v.images.map((i) => ({ file: i.file, version: i.verdict.image.version, signer: i.verdict.signer.name })),
  };
}

function printVerdict(v: BundleVerdict & { storedAt?: string; alreadyStored?: boolean }, ctx: CliContext): void {
  if (!v.ok) {
    ctx.out(`REFUSED (${v.reason})${v.file ? `  ${v.file}` : ''}`);
    ctx.out(`  ${v.message}`);
    return;
  }
  ctx.out(`OK  ${v.manifest.id}  system version ${v.manifest.systemVersion}  (release key ${v.releaseKey.name})`);
  for (const i of v.images) ctx.out(`  ${i.file}  ${i.verdict.image.version}  signed by ${i.verdict.signer.name}`);
  if (v.storedAt) ctx.out(v.alreadyStored ? `  already stored in ${v.storedAt}` : `  stored in ${v.storedAt}`);
}

/** Runs a bundle action, turning SiteflashErrors into exit codes. */
async function guarded(ctx: CliContext, json: boolean, action: () => Promise<number>): Promise<number> {
  try {
    return await action();
  } catch (err) {
    if (!(err instanceof SiteflashError)) throw err;
    if (json) ctx.out(JSON.stringify({ ok: false, error: err.toValue() }, null, 2));
    else ctx.err(err.message);
    if (err.kind === 'aborted') return EXIT.interrupted;
    return err.kind === 'bundle-unreadable' || err.kind === 'bundle-not-found' ? EXIT.unreachable : EXIT.failed;
  }
}

function oneArg(argv: string[], what: string, ctx: CliContext) {
  const { values, positionals } = parseOptions(argv, { json: { type: 'boolean' } });
  if (positionals.length !== 1) throw new UsageError(`Give exactly one ${what}.`);
  return { arg: positionals[0] as string, json: ctx.json || values.json === true };
}

/** `bundle import PATH`: verify a bundle folder or .tar/.tar.gz and store it. */
export const bundleImportCommand: Command = {
  name: 'bundle import',
  summary: 'Verify a release bundle (folder or .tar/.tar.gz) and store it for offline use',
  usage: 'bundle import PATH [--json]',
  async run(argv, ctx) {
    const { arg, json } = oneArg(argv, 'bundle folder or archive', ctx);
    return guarded(ctx, json, async () => {
      const v = await storeFor(ctx).importBundle(arg, { signal: ctx.signal });
      if (json) ctx.out(JSON.stringify(verdictJson(v), null, 2));
      else printVerdict(v, ctx);
      return v.ok ? EXIT.ok : EXIT.failed;
    });
  },
};

/** `bundle verify ID`: re-verify a stored bundle. */
export const bundleVerifyCommand: Command = {
  name: 'bundle verify',
  summary: 'Re-verify a stored release bundle (signature and every image)',
  usage: 'bundle verify ID [--json]',
  async run(argv, ctx) {
    const { arg, json } = oneArg(argv, 'bundle id', ctx);
    return guarded(ctx, json, async () => {
      const v = await storeFor(ctx).verify(arg, { signal: ctx.signal });
      if (json) ctx.out(JSON.stringify(verdictJson(v), null, 2));
      else printVerdict(v, ctx);
      return v.ok ? EXIT.ok : EXIT.failed;
    });
  },
};

/** `bundle list`: stored bundles. */
export const bundleListCommand: Command = {
  name: 'bundle list',
  summary: 'List the release bundles stored for offline use',
  usage: 'bundle list [--json]',
  async run(argv, ctx) {
    const { values, positionals } = parseOptions(argv, { json: { type: 'boolean' } });
    if (positionals.length) throw new UsageError('bundle list takes no arguments.');
    const json = ctx.json || values.json === true;
    const list = await storeFor(ctx).list();
    if (json) ctx.out(JSON.stringify(list, null, 2));
    else if (!list.length) ctx.out('No bundles stored.');
    else for (const b of list) ctx.out(`${b.id}  ${b.systemVersion}  ${b.created}  ${b.components.map((c) => `${c.board}@${c.version}`).join(', ')}`);
    return EXIT.ok;
  },
};

/** All `bundle …` commands, for the CLI's registry. */
export const bundleCommands: Command[] = [bundleImportCommand, bundleVerifyCommand, bundleListCommand];
