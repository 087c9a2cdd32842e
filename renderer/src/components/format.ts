/**
 * Number formatting for progress: sizes, transfer rates and remaining time, as a technician reads
 * them on the Update screen. Decimal units (1 kB = 1000 B), the same as the rates links are quoted in.
 * Unknown values (undefined, NaN, negative, infinite) read as an em dash, never as "0".
 */

const UNKNOWN = '—';
const UNITS = ['B', 'kB', 'MB', 'GB'] as const;

function known(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** Three significant digits past the first unit: 512 B, 1.5 kB, 12.3 kB, 245 kB, 1.02 MB. */
export function formatBytes(bytes: number | null | undefined): string {
  if (!known(bytes)) return UNKNOWN;
  let value = bytes;
  let unit = 0;
  while (value >= 999.5 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  const digits = value < 9.995 ? 2 : value < 99.95 ? 1 : 0;
  return `${Number(value.toFixed(digits))} ${UNITS[unit]}`;
}

/** A transfer rate in bytes per second, e.g. "11.5 kB/s"; a stalled transfer reads "0 B/s". */
export function formatRate(bytesPerSecond: number | null | undefined): string {
  if (!known(bytesPerSecond)) return UNKNOWN;
  return `${formatBytes(bytesPerSecond)}/s`;
}

/**
 * Time left, rounded up so a running job never claims "0 s": "< 1 s", "42 s", "3 min 5 s",
 * "1 h 2 min". Past 10 minutes the seconds are dropped; they only flicker.
 */
export function formatEta(seconds: number | null | undefined): string {
  if (!known(seconds)) return UNKNOWN;
  if (seconds === 0) return '0 s';
  if (seconds < 1) return '< 1 s';
  const total = Math.ceil(seconds);
  if (total < 60) return `${total} s`;
  if (total < 600) {
    const s = total % 60;
    return s === 0 ? `${total / 60} min` : `${Math.floor(total / 60)} min ${s} s`;
  }
  const minutes = Math.ceil(total / 60);
  if (minutes < 60) return `${minutes} min`;
  const m = minutes % 60;
  const h = Math.floor(minutes / 60);
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** Percentage of `done` out of `total`, clamped to 0–100 and floored so 100 % means really done. */
export function percent(done: number, total: number): number {
  if (!(total > 0) || !Number.isFinite(done)) return 0;
  return Math.min(100, Math.max(0, Math.floor((done / total) * 100)));
}
