import { SiteflashError } from '../errors';

/** Setting names of field-group.md "Network settings" (settings group, smp.md §3.3). */
export const NET_SETTING = {
  panId: 'net/pan_id',
  channel: 'net/channel',
  key: 'net/key',
  security: 'net/security',
} as const;

/** `net/security` values (field-group.md "Network settings"). */
export const NET_SECURITY = ['none', 'aes-ccm-32', 'aes-ccm-64', 'aes-ccm-128'] as const;
export type NetSecurity = (typeof NET_SECURITY)[number];

/** `net/key` is 16 bytes (field-group.md "Network settings"). */
export const NET_KEY_BYTES = 16;

/** The readable part of a device's network settings: everything but the key. */
export interface NetworkSettings {
  /** `net/pan_id`, 0…65535 (2-byte unsigned, little-endian on the wire). */
  panId: number;
  /** `net/channel`, 0…255 (1 byte). */
  channel: number;
  security: NetSecurity;
}

/** One setting to write: name and its encoded value. */
export interface SettingValue {
  name: string;
  val: Uint8Array;
}

/** A bad setting value given by the technician (`net-settings-invalid`). */
export class NetSettingsError extends SiteflashError {
  constructor(message: string) {
    super('net-settings-invalid', message, true);
  }
}

/** Throws {@link NetSettingsError} unless every value fits its encoding. */
export function checkNetworkSettings(s: NetworkSettings): NetworkSettings {
  if (!Number.isInteger(s.panId) || s.panId < 0 || s.panId > 0xffff) throw new NetSettingsError(`The PAN ID must be a whole number from 0 to 65535 (0xFFFF), not ${s.panId}.`);
  if (!Number.isInteger(s.channel) || s.channel < 0 || s.channel > 0xff) throw new NetSettingsError(`The channel must be a whole number from 0 to 255, not ${s.channel}.`);
  if (!(NET_SECURITY as readonly string[]).includes(s.security)) throw new NetSettingsError(`The security must be one of ${NET_SECURITY.join(', ')}, not "${s.security}".`);
  return s;
}

/** `net/pan_id` value: 2 bytes, little-endian. */
export function encodePanId(panId: number): Uint8Array {
  return Uint8Array.of(panId & 0xff, (panId >> 8) & 0xff);
}

/** Reads a `net/pan_id` value; undefined when it is not exactly 2 bytes. */
export function decodePanId(val: Uint8Array): number | undefined {
  return val.length === 2 ? (val[0] as number) | ((val[1] as number) << 8) : undefined;
}

/** Reads a `net/channel` value; undefined when it is not exactly 1 byte. */
export function decodeChannel(val: Uint8Array): number | undefined {
  return val.length === 1 ? val[0] : undefined;
}

/** Reads a `net/security` value; undefined when it is not one of {@link NET_SECURITY}. */
export function decodeSecurity(val: Uint8Array): NetSecurity | undefined {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(val);
  return (NET_SECURITY as readonly string[]).includes(text) ? (text as NetSecurity) : undefined;
}

/**
 * The four writes of a change, in the order a device applies them: PAN, channel, security, key.
 * The key is last so that a device refusing a readable value never received the key.
 */
export function networkWrites(s: NetworkSettings, key: Uint8Array): SettingValue[] {
  checkNetworkSettings(s);
  if (key.length !== NET_KEY_BYTES) throw new NetSettingsError(`A network key is ${NET_KEY_BYTES} bytes; this one has ${key.length}.`);
  return [
    { name: NET_SETTING.panId, val: encodePanId(s.panId) },
    { name: NET_SETTING.channel, val: Uint8Array.of(s.channel) },
    { name: NET_SETTING.security, val: new TextEncoder().encode(s.security) },
    { name: NET_SETTING.key, val: key },
  ];
}

/** `pan 0x1234` / `pan 0x1234 ch 15 aes-ccm-128`: how settings appear in the journal, audit and CLI (never the key). */
export function settingsText(s: Partial<NetworkSettings>): string {
  const parts = [`pan ${s.panId === undefined ? '?' : `0x${s.panId.toString(16).padStart(4, '0')}`}`];
  if (s.channel !== undefined) parts.push(`ch ${s.channel}`);
  if (s.security !== undefined) parts.push(s.security);
  return parts.join(' ');
}

/** Parses a PAN ID or channel as typed: decimal or `0x` hex. */
export function parseSettingNumber(text: string): number {
  const t = text.trim();
  return /^0x[0-9a-f]+$/i.test(t) ? Number.parseInt(t.slice(2), 16) : /^\d+$/.test(t) ? Number(t) : Number.NaN;
}
