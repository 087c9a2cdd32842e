/**
 * The network settings form of the Update screen, checked as the technician types: project id,
 * PAN ID (decimal or `0x` hex), channel and security (field-group.md "Network settings"), and the
 * network key's text (16 bytes as 32 hex digits). Plain functions; the core checks everything again.
 */
import type { NetworkSettingsRequest } from '../../../preload/api';

/** `net/security` values (field-group.md "Network settings"), with words for the technician. */
export const SECURITY_OPTIONS: readonly { value: NetworkSettingsRequest['security']; label: string }[] = [
  { value: 'aes-ccm-128', label: 'aes-ccm-128 (strongest)' },
  { value: 'aes-ccm-64', label: 'aes-ccm-64' },
  { value: 'aes-ccm-32', label: 'aes-ccm-32' },
  { value: 'none', label: 'none (no encryption)' },
];

/** `net/pan_id` is a 2-byte unsigned value (field-group.md "Network settings"). */
const PAN_ID_MAX = 0xffff;
/** `net/channel` is a 1-byte unsigned value (field-group.md "Network settings"). */
const CHANNEL_MAX = 0xff;
/** `net/key` is 16 bytes (field-group.md "Network settings"). */
const NET_KEY_HEX_DIGITS = 32;
/** The keychain names a project's key `net-key:<projectId>`; the project id is 1–64 of these. */
const PROJECT_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The form's fields as typed. */
export interface NetworkFormInput {
  projectId: string;
  panId: string;
  channel: string;
  security: string;
}

/** A message per field that is not right yet. */
export type NetworkFormErrors = Partial<Record<keyof NetworkFormInput, string>>;

/** Reads a number as typed: decimal, or hex with a `0x` prefix; NaN for anything else. */
export function parseSettingNumber(text: string): number {
  const t = text.trim();
  if (/^0x[0-9a-f]+$/i.test(t)) return Number.parseInt(t.slice(2), 16);
  return /^\d+$/.test(t) ? Number(t) : Number.NaN;
}

/** Why a project id cannot be used, or null when it can. */
export function projectIdProblem(text: string): string | null {
  const t = text.trim();
  if (t === '') return 'Enter the project id (as the project sheet names it).';
  if (!PROJECT_ID.test(t)) return 'A project id is 1 to 64 letters, digits, dots, dashes or underscores, with no spaces.';
  return null;
}

function numberProblem(text: string, what: string, max: number, example: string): string | null {
  if (text.trim() === '') return `Enter the ${what}.`;
  const n = parseSettingNumber(text);
  if (Number.isNaN(n)) return `The ${what} is a whole number, in decimal or in hex with 0x (e.g. ${example}).`;
  if (n > max) return `The ${what} must be from 0 to ${max} (0x${max.toString(16).toUpperCase()}).`;
  return null;
}

/** Checks the whole form: the request's settings, or a message for each field that is wrong. */
export function checkNetworkForm(input: NetworkFormInput): { ok: true; value: NetworkSettingsRequest } | { ok: false; errors: NetworkFormErrors } {
  const errors: NetworkFormErrors = {};
  const project = projectIdProblem(input.projectId);
  if (project) errors.projectId = project;
  const pan = numberProblem(input.panId, 'PAN ID', PAN_ID_MAX, '48879 or 0xBEEF');
  if (pan) errors.panId = pan;
  const channel = numberProblem(input.channel, 'channel', CHANNEL_MAX, '20 or 0x14');
  if (channel) errors.channel = channel;
  const security = SECURITY_OPTIONS.find((o) => o.value === input.security);
  if (!security) errors.security = 'Choose the security the project uses.';
  if (Object.keys(errors).length > 0 || !security) return { ok: false, errors };
  return {
    ok: true,
    value: { projectId: input.projectId.trim(), panId: parseSettingNumber(input.panId), channel: parseSettingNumber(input.channel), security: security.value },
  };
}

/**
 * Checks a network key as typed (spaces, colons or dashes between the digits are allowed) and
 * returns it as the 32 lower-case hex digits the core takes. The message never repeats the key.
 */
export function checkNetKeyText(text: string): { ok: true; hex: string } | { ok: false; message: string } {
  const compact = text.trim().replace(/[\s:-]/g, '');
  if (compact === '') return { ok: false, message: 'Type or paste the network key.' };
  if (!/^[0-9a-f]*$/i.test(compact)) return { ok: false, message: 'A network key has only hex digits: 0–9 and a–f.' };
  if (compact.length !== NET_KEY_HEX_DIGITS) {
    return { ok: false, message: `A network key is 16 bytes: ${NET_KEY_HEX_DIGITS} hex digits. This has ${compact.length}.` };
  }
  return { ok: true, hex: compact.toLowerCase() };
}
