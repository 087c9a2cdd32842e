/**
 * The "Prepare for a visit" card: site ids as typed (comma or one per line) and each bundle's
 * state in words. Plain functions over the contract's `VisitPreparation`.
 */
import type { VisitPreparation } from '../../../preload/api';

/** The core takes at most this many sites, each id at most this long (main/schemas.ts `sync:prepare`). */
const MAX_SITES = 100;
const MAX_ID_LENGTH = 200;

/** Site ids as typed: split on commas and line breaks, trimmed, empty ones and repeats left out. */
export function parseSiteIds(text: string): string[] {
  const ids = text
    .split(/[,\n\r]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return [...new Set(ids)];
}

/** Site ids as the field shows them: one per line. */
export function formatSiteIds(ids: readonly string[]): string {
  return ids.join('\n');
}

/** Why these site ids cannot be sent, or null when they can. */
export function siteIdsProblem(ids: readonly string[]): string | null {
  if (ids.length === 0) return 'Enter at least one site id.';
  if (ids.length > MAX_SITES) return `At most ${MAX_SITES} sites can be prepared at once.`;
  const long = ids.find((id) => id.length > MAX_ID_LENGTH);
  if (long !== undefined) return `A site id is at most ${MAX_ID_LENGTH} characters; "${long.slice(0, 20)}…" is longer.`;
  return null;
}

type Bundle = VisitPreparation['sites'][number]['bundles'][number];

/** A bundle's state in words, with its tone (the text says it all; the tone is a second signal). */
export function bundleStateText(b: Bundle): { text: string; tone: 'ok' | 'bad' } {
  if (b.state === 'stored') return { text: 'already on this computer', tone: 'ok' };
  if (b.state === 'downloaded') return { text: 'downloaded and verified', tone: 'ok' };
  return { text: `not downloaded: ${b.message ?? 'no reason was given'}`, tone: 'bad' };
}

/** One line on what the preparation brought, e.g. "1 site ready: 1 bundle downloaded, 0 failed". */
export function preparationSummary(p: VisitPreparation): string {
  const bundles = p.sites.flatMap((s) => s.bundles);
  const failed = bundles.filter((b) => b.state === 'failed').length;
  const downloaded = bundles.filter((b) => b.state === 'downloaded').length;
  const stored = bundles.length - failed - downloaded;
  const sites = `${p.sites.length} ${p.sites.length === 1 ? 'site' : 'sites'}`;
  if (bundles.length === 0) return `${sites}: no release bundle is needed`;
  return `${sites}: ${downloaded} downloaded, ${stored} already here, ${failed} failed`;
}
