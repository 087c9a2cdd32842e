/**
 * What is inside an image, without judging it: header, every TLV of both areas, trailer. For
 * `siteflash inspect` and the UI's image details. Reads only the small windows of the file.
 */
import { SiteflashError } from '../errors';
import { readImageWindows } from './file-windows';
import { hex, TLV } from './format';
import { parseImageWindows, summarize } from './parse';
import { openRegularFile } from './regular-file';
import type { ImageSummary, VerifyCategory } from './types';

/** One TLV as listed. */
export interface TlvListing {
  area: 'protected' | 'unprotected';
  offset: number;
  type: string;
  name: string;
  len: number;
  hex: string;
}

/** The inspection of an image file. */
export type ImageInspection =
  | { ok: true; fileSize: number; image: ImageSummary; tlvs: TlvListing[] }
  | { ok: false; fileSize: number; category: VerifyCategory; message: string };

const NAMES = new Map<number, string>(Object.entries(TLV).map(([name, type]) => [type, name]));

/** Parses an image file's header, TLVs and trailer. Throws SiteflashError `image-unreadable`. */
export async function inspectImageFile(path: string): Promise<ImageInspection> {
  const fh = await openRegularFile(path, (why) => new SiteflashError('image-unreadable', `Cannot read the image file ${path}: ${why}.`));
  try {
    const size = (await fh.stat()).size;
    const parsed = parseImageWindows(await readImageWindows(fh, size));
    if (parsed.status === 'incomplete') return { ok: false, fileSize: size, category: 'truncated', message: 'The image is cut short.' };
    if (parsed.status === 'invalid') return { ok: false, fileSize: size, category: parsed.category, message: parsed.message };
    const img = parsed.value;
    const list = (area: TlvListing['area'], tlvs: typeof img.areas.unprotectedArea.tlvs): TlvListing[] =>
      tlvs.map((t) => ({
        area,
        offset: t.offset,
        type: `0x${t.type.toString(16).padStart(4, '0')}`,
        name: NAMES.get(t.type) ?? 'custom',
        len: t.value.length,
        hex: hex(t.value),
      }));
    return {
      ok: true,
      fileSize: size,
      image: summarize(img),
      tlvs: [...list('protected', img.areas.protectedArea?.tlvs ?? []), ...list('unprotected', img.areas.unprotectedArea.tlvs)],
    };
  } finally {
    await fh.close();
  }
}
