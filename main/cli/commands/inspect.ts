/**
 * `siteflash inspect IMAGE [--json]`: shows an image's header, TLVs and trailer without judging
 * its signature. Exit 0 when it parses, 1 when it does not, 2 usage error, 3 file unreadable.
 */
import { inspectImageFile, type ImageInspection } from '../../image/inspect';
import { EXIT, parseOptions, UsageError, type CliContext, type Command } from '../command';
import { reportFileError } from '../file-error';

function printText(file: string, r: Extract<ImageInspection, { ok: true }>, ctx: CliContext): void {
  const i = r.image;
  ctx.out(`${file}  (${r.fileSize} bytes)`);
  ctx.out(`header   version ${i.version}, hdr_size ${i.hdrSize}, img_size ${i.imgSize}, protect_tlv_size ${i.protectTlvSize}`);
  ctx.out(`         flags 0x${i.flags.toString(16)}${i.flagNames.length ? ` (${i.flagNames.join(', ')})` : ''}, load_addr 0x${i.loadAddr.toString(16)}`);
  ctx.out(`hash     ${i.hashAlg} ${i.hash}`);
  if (i.securityCounter !== null) ctx.out(`security counter ${i.securityCounter}`);
  for (const d of i.dependencies) ctx.out(`depends  image ${d.imageId} >= ${d.minVersion}`);
  ctx.out('TLVs');
  for (const t of r.tlvs) {
    const value = t.hex.length > 64 ? `${t.hex.slice(0, 64)}…` : t.hex;
    ctx.out(`  ${t.area.padEnd(11)} ${t.type} ${t.name.padEnd(12)} ${String(t.len).padStart(4)}  ${value}`);
  }
  const tr = i.trailer;
  if (tr) {
    ctx.out(`trailer  ${tr.bytesAfterTlvs} bytes after the image, magic ${tr.magic}`);
    if (tr.magic === 'good') ctx.out(`         image_ok 0x${(tr.imageOk ?? 0xff).toString(16)}, copy_done 0x${(tr.copyDone ?? 0xff).toString(16)}, swap_info 0x${(tr.swapInfo ?? 0xff).toString(16)}`);
  } else {
    ctx.out('trailer  none');
  }
}

async function run(argv: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseOptions(argv, { json: { type: 'boolean' } });
  if (positionals.length !== 1) throw new UsageError('inspect takes exactly one IMAGE file.');
  const file = positionals[0] as string;
  const json = ctx.json || values.json === true;
  let r: ImageInspection;
  try {
    r = await inspectImageFile(file);
  } catch (err) {
    return reportFileError(err, file, json, ctx);
  }
  if (json) ctx.out(JSON.stringify({ file, ...r }, null, 2));
  else if (r.ok) printText(file, r, ctx);
  else ctx.out(`${file}: not a readable MCUboot image (${r.category}): ${r.message}`);
  return r.ok ? EXIT.ok : EXIT.failed;
}

/** The `inspect` command. */
export const inspectCommand: Command = {
  name: 'inspect',
  summary: "Show an MCUboot image's header, TLVs and trailer",
  usage: 'inspect IMAGE [--json]',
  run,
};
