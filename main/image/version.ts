/**
 * MCUboot image versions (mcuboot-image.md §2): `major.minor.revision+build`.
 *
 * Ordering choice: (major, minor, revision) are compared first, as MCUboot and Zephyr do; the
 * build number only breaks a tie between equal triples (a higher build is newer). So 1.2.3+9 is
 * older than 1.2.4+0, and 1.2.3+5 is newer than 1.2.3+4.
 */
import type { ImageVersion } from './types';

const VERSION_RE = /^(\d{1,3})(?:\.(\d{1,3})(?:\.(\d{1,5})(?:[+.](\d{1,10}))?)?)?$/;

/** Formats as `major.minor.revision+build` (imgtool's spelling). */
export function formatVersion(v: ImageVersion): string {
  return `${v.major}.${v.minor}.${v.revision}+${v.build}`;
}

/**
 * The one spelling shown anywhere (lists, tables, audit rows, CSV): `major.minor.revision+build`,
 * from any spelling a device or file uses (`1.2.3`, SMP's `1.2.3.4`, `1.2.3+4`). Text that is not
 * a version is shown as it came.
 */
export function displayVersion(text: string): string {
  const v = parseVersion(text);
  return v ? formatVersion(v) : text;
}

/**
 * Parses `1`, `1.2`, `1.2.3`, `1.2.3+4` or SMP's `1.2.3.4`; missing parts are 0.
 * Returns null when the text is not a version or a part is out of range (§2 ranges).
 */
export function parseVersion(text: string): ImageVersion | null {
  const m = VERSION_RE.exec(text.trim());
  if (!m) return null;
  const v = {
    major: Number(m[1]),
    minor: Number(m[2] ?? 0),
    revision: Number(m[3] ?? 0),
    build: Number(m[4] ?? 0),
  };
  if (v.major > 0xff || v.minor > 0xff || v.revision > 0xffff || v.build > 0xffffffff) return null;
  return v;
}

/** Negative when a < b, 0 when equal, positive when a > b; build breaks ties only. */
export function compareVersions(a: ImageVersion, b: ImageVersion): number {
  return a.major - b.major || a.minor - b.minor || a.revision - b.revision || a.build - b.build;
}

/** Compares (major, minor, revision) only, as MCUboot's downgrade check does. */
export function compareVersionsIgnoringBuild(a: ImageVersion, b: ImageVersion): number {
  return a.major - b.major || a.minor - b.minor || a.revision - b.revision;
}
