/**
 * Readable names for SMP return codes (smp.md §4), and the v2 → legacy translation (smp.md §2).
 */

/** Legacy / SMP-level codes, enum `mcumgr_err_t` (smp.md §4.1). */
export const MgmtErr = {
  EOK: 0,
  EUNKNOWN: 1,
  ENOMEM: 2,
  EINVAL: 3,
  ETIMEOUT: 4,
  ENOENT: 5,
  EBADSTATE: 6,
  EMSGSIZE: 7,
  ENOTSUP: 8,
  ECORRUPT: 9,
  EBUSY: 10,
  EACCESSDENIED: 11,
  UNSUPPORTED_TOO_OLD: 12,
  UNSUPPORTED_TOO_NEW: 13,
} as const;

/** First application-defined legacy code (smp.md §4.1 `MGMT_ERR_EPERUSER`). */
export const MGMT_ERR_EPERUSER = 256;

/** Image group v2 codes (smp.md §4.2). */
export const ImageErr = {
  OK: 0, UNKNOWN: 1, FLASH_CONFIG_QUERY_FAIL: 2, NO_IMAGE: 3, NO_TLVS: 4, INVALID_TLV: 5,
  TLV_MULTIPLE_HASHES_FOUND: 6, TLV_INVALID_SIZE: 7, HASH_NOT_FOUND: 8, NO_FREE_SLOT: 9,
  FLASH_OPEN_FAILED: 10, FLASH_READ_FAILED: 11, FLASH_WRITE_FAILED: 12, FLASH_ERASE_FAILED: 13,
  INVALID_SLOT: 14, NO_FREE_MEMORY: 15, FLASH_CONTEXT_ALREADY_SET: 16, FLASH_CONTEXT_NOT_SET: 17,
  FLASH_AREA_DEVICE_NULL: 18, INVALID_PAGE_OFFSET: 19, INVALID_OFFSET: 20, INVALID_LENGTH: 21,
  INVALID_IMAGE_HEADER: 22, INVALID_IMAGE_HEADER_MAGIC: 23, INVALID_HASH: 24, INVALID_FLASH_ADDRESS: 25,
  VERSION_GET_FAILED: 26, CURRENT_VERSION_IS_NEWER: 27, IMAGE_ALREADY_PENDING: 28,
  INVALID_IMAGE_VECTOR_TABLE: 29, INVALID_IMAGE_TOO_LARGE: 30, INVALID_IMAGE_DATA_OVERRUN: 31,
  IMAGE_CONFIRMATION_DENIED: 32, IMAGE_SETTING_TEST_TO_ACTIVE_DENIED: 33, ACTIVE_SLOT_NOT_KNOWN: 34,
} as const;

/** OS group v2 codes (smp.md §4.3). */
export const OsErr = {
  OK: 0, UNKNOWN: 1, INVALID_FORMAT: 2, QUERY_YIELDS_NO_ANSWER: 3, RTC_NOT_SET: 4,
  RTC_COMMAND_FAILED: 5, QUERY_RESPONSE_VALUE_NOT_VALID: 6,
} as const;

/** Settings group v2 codes (smp.md §3.3). */
export const SettingsErr = {
  OK: 0, UNKNOWN: 1, KEY_TOO_LONG: 2, KEY_NOT_FOUND: 3, READ_NOT_SUPPORTED: 4, ROOT_KEY_NOT_FOUND: 5,
  WRITE_NOT_SUPPORTED: 6, DELETE_NOT_SUPPORTED: 7, SAVE_NOT_SUPPORTED: 8,
} as const;

/** Statistics group v2 codes (smp.md §3.5). */
export const StatsErr = { OK: 0, UNKNOWN: 1, INVALID_GROUP: 2, INVALID_STAT_NAME: 3, INVALID_STAT_SIZE: 4, WALK_ABORTED: 5 } as const;

/** Shell group v2 codes (smp.md §3.4). */
export const ShellErr = { OK: 0, UNKNOWN: 1, COMMAND_TOO_LONG: 2, EMPTY_COMMAND: 3 } as const;

const LEGACY_TEXT: Record<number, string> = {
  0: 'success', 1: 'unknown error', 2: 'out of memory', 3: 'invalid input', 4: 'timed out',
  5: 'no such entry', 6: 'the current state forbids the command', 7: 'response too large',
  8: 'command not supported', 9: 'corrupt data', 10: 'busy with another command', 11: 'access denied',
  12: 'protocol version too old for this device', 13: 'protocol version too new for this device',
};

function invert(table: Record<string, number>): Record<number, string> {
  return Object.fromEntries(Object.entries(table).map(([k, v]) => [v, k]));
}

const LEGACY_NAMES = invert(MgmtErr);
const GROUP_NAMES: Record<number, { group: string; names: Record<number, string> }> = {
  0: { group: 'OS', names: invert(OsErr) },
  1: { group: 'image', names: invert(ImageErr) },
  2: { group: 'statistics', names: invert(StatsErr) },
  3: { group: 'settings', names: invert(SettingsErr) },
  9: { group: 'shell', names: invert(ShellErr) },
};

/** Name and short meaning of a legacy `rc` (smp.md §4.1); undefined when not in the table. */
export function legacyCodeName(rc: number): { name: string; text: string } | undefined {
  if (rc >= MGMT_ERR_EPERUSER) return { name: 'EPERUSER', text: 'application-defined error' };
  const name = LEGACY_NAMES[rc];
  return name ? { name: `MGMT_ERR_${name}`, text: LEGACY_TEXT[rc] ?? name } : undefined;
}

/** Name of a v2 group code (smp.md §4.2–4.4); undefined for groups or codes not in the tables. */
export function groupCodeName(group: number, rc: number): string | undefined {
  return GROUP_NAMES[group]?.names[rc];
}

/** Human name of a group id, e.g. `image` for 1, else `group <n>`. */
export function groupLabel(group: number): string {
  return GROUP_NAMES[group]?.group ?? (group === 64 ? 'field' : `group ${group}`);
}

/**
 * The legacy code a v2 server sends for a group failure when asked with version 0 (smp.md §2).
 * The image rule is the spec's; the OS/settings rules follow Zephyr's translators and fall back to EUNKNOWN.
 */
export function legacyCodeFor(group: number, rc: number): number {
  if (group === 1) {
    if (rc === ImageErr.NO_IMAGE || rc === ImageErr.NO_TLVS) return MgmtErr.ENOENT;
    if (rc === ImageErr.NO_FREE_SLOT || rc === ImageErr.CURRENT_VERSION_IS_NEWER || rc === ImageErr.IMAGE_ALREADY_PENDING) return MgmtErr.EBADSTATE;
    if (rc === ImageErr.NO_FREE_MEMORY) return MgmtErr.ENOMEM;
    if (
      rc === ImageErr.INVALID_SLOT || rc === ImageErr.INVALID_PAGE_OFFSET || rc === ImageErr.INVALID_OFFSET ||
      rc === ImageErr.INVALID_LENGTH || rc === ImageErr.INVALID_IMAGE_HEADER || rc === ImageErr.INVALID_IMAGE_HEADER_MAGIC ||
      rc === ImageErr.INVALID_HASH || rc === ImageErr.INVALID_FLASH_ADDRESS
    ) return MgmtErr.EINVAL;
    return MgmtErr.EUNKNOWN;
  }
  if (group === 3) {
    if (rc === SettingsErr.KEY_TOO_LONG) return MgmtErr.EINVAL;
    if (rc === SettingsErr.KEY_NOT_FOUND || rc === SettingsErr.ROOT_KEY_NOT_FOUND) return MgmtErr.ENOENT;
    if (rc >= SettingsErr.READ_NOT_SUPPORTED) return MgmtErr.ENOTSUP;
    return MgmtErr.EUNKNOWN;
  }
  if (group === 0 && (rc === OsErr.INVALID_FORMAT || rc === OsErr.QUERY_YIELDS_NO_ANSWER)) return MgmtErr.EINVAL;
  return MgmtErr.EUNKNOWN;
}
