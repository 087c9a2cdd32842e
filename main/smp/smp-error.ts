import { SiteflashError } from '../errors';
import type { SmpBody } from './cbor';
import { groupCodeName, groupLabel, legacyCodeFor, legacyCodeName } from './error-codes';

/**
 * A device's refusal, from either error shape (smp.md §2): legacy `{"rc": n}` (group is
 * undefined: an SMP-level code from §4.1) or v2 `{"err": {"group": g, "rc": n}}`.
 * Unknown codes keep their numbers and read `group <g> rc <n>` (smp.md §4.5); never success.
 */
export class SmpError extends SiteflashError {
  constructor(
    /** The group of a v2 group error; undefined for a legacy/SMP-level `rc`. */
    readonly group: number | undefined,
    /** The `rc` value. */
    readonly code: number,
    /** Readable code name, e.g. `IMAGE_ALREADY_PENDING` or `MGMT_ERR_EACCESSDENIED`; `unknown` if not in the tables. */
    readonly codeName: string,
    message: string,
    /** The `rsn` text some devices add with verbose errors. */
    readonly reason?: string,
  ) {
    super('smp', message, true, { group: group ?? null, code, codeName });
  }
}

/**
 * Builds the {@link SmpError} for a legacy `rc` (group undefined) or a v2 group code. `command`
 * names the refused request (e.g. `image upload (group 1, command 1)`, see command-names.ts).
 */
export function smpError(group: number | undefined, code: number, reason?: string, command?: string): SmpError {
  const suffix = reason ? ` (${reason})` : '';
  const refused = `The device refused ${command ?? 'the command'}`;
  if (group === undefined) {
    const n = legacyCodeName(code);
    const what = n ? `${n.text} (rc ${code} ${n.name})` : `group 0 rc ${code}`;
    return new SmpError(undefined, code, n?.name ?? 'unknown', `${refused}: ${what}${suffix}.`, reason);
  }
  const name = groupCodeName(group, code);
  const what = name ? `${groupLabel(group)} error ${code} ${name}` : `group ${group} rc ${code}`;
  return new SmpError(group, code, name ?? 'unknown', `${refused}: ${what}${suffix}.`, reason);
}

/**
 * Reads the error out of a response body, in either shape. Returns undefined on success
 * (no `rc`/`err`, or a code of 0 — smp.md §2). A malformed `rc`/`err` is an error, never success.
 */
export function errorFromBody(body: SmpBody, command?: string): SmpError | undefined {
  const rsn = typeof body.rsn === 'string' ? body.rsn : undefined;
  if ('err' in body) {
    const err = body.err;
    if (err && typeof err === 'object' && !Array.isArray(err)) {
      const { group, rc } = err as Record<string, unknown>;
      if (isUint(group) && isUint(rc)) {
        if (rc !== 0) return smpError(group, rc, rsn, command);
      } else return malformed();
    } else return malformed();
  }
  if ('rc' in body) {
    const rc = body.rc;
    if (!Number.isInteger(rc)) return malformed();
    if (rc !== 0) return smpError(undefined, rc as number, rsn, command);
  }
  return undefined;
}

/**
 * The error body a server sends (smp.md §2): v2 requests (version ≥ 1) get
 * `{"err": {"group", "rc"}}`; version-0 requests get the legacy code translated from it.
 */
export function groupErrorBody(requestVersion: number, group: number, rc: number): SmpBody {
  return requestVersion >= 1 ? { err: { group, rc } } : { rc: legacyCodeFor(group, rc) };
}

function isUint(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) >= 0;
}

function malformed(): SmpError {
  return new SmpError(undefined, -1, 'malformed', 'The device answered with an error in a shape siteflash does not know.');
}
