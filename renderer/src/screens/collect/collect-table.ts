import type { HeardDevice } from '../../../../preload/api';
import type { LedAnswerView } from '../../stores/collect-store';

/** Where a device stands on Collect, in the words the table shows and filters by. */
export type RowState = 'ready' | 'led-question' | 'led-not-seen' | 'in-update-mode' | 'expired' | 'normal-mode';

export const STATE_TEXT: Readonly<Record<RowState, string>> = {
  ready: 'Ready',
  'led-question': 'LED to confirm',
  'led-not-seen': 'LED not seen',
  'in-update-mode': 'Not chosen',
  expired: 'Time is up',
  'normal-mode': 'Normal mode',
};

/** One line of the Collect table, with everything it sorts and filters on worked out once. */
export interface CollectRow {
  id: string;
  /** The site list's name, or null. */
  name: string | null;
  location: string | null;
  /** False when the site list is known and the device is not on it; null when there is no list. */
  onList: boolean | null;
  /** Which gateway heard it: its name or id, "gateway" when the core names none, "direct" for a device connected directly. */
  gateway: string;
  board: string;
  hw: string;
  version: string;
  mode: HeardDevice['mode'];
  chosen: boolean;
  led: LedAnswerView | null;
  /** Epoch ms (core clock) when update mode ends, or null when not in update mode / not known. */
  updateEndsAt: number | null;
  state: RowState;
  /** Lower-cased text the filter box matches against. */
  haystack: string;
  device: HeardDevice;
}

export type SortKey = 'device' | 'board' | 'version' | 'mode' | 'gateway' | 'state' | 'led' | 'left' | 'chosen';
export interface Sort {
  key: SortKey;
  dir: 'ascending' | 'descending';
}

export interface Filter {
  text: string;
  /** '' for any. */
  mode: '' | HeardDevice['mode'];
  board: string;
  state: '' | RowState;
}

export const NO_FILTER: Filter = { text: '', mode: '', board: '', state: '' };

const text = (v: string | null | undefined): string | null => (v && v.trim() !== '' ? v : null);

export interface RowInputs {
  chosen: ReadonlySet<string>;
  answers: Readonly<Record<string, LedAnswerView>>;
  updateSince: Readonly<Record<string, number>>;
  windowMs: number;
  /** The core's clock now (epoch ms). */
  now: number;
}

/** The table's rows for the devices heard. */
export function collectRows(devices: readonly HeardDevice[], inp: RowInputs): CollectRow[] {
  return devices.map((device) => {
    const chosen = inp.chosen.has(device.id);
    const led = inp.answers[device.id] ?? null;
    const since = inp.updateSince[device.id];
    const updateEndsAt = device.mode === 'update' && since !== undefined ? since + inp.windowMs : null;
    const name = text(device.name);
    const location = text(device.location);
    const gateway = device.gateway ? (text(device.gateway.label) ?? device.gateway.id) : device.via === 'gateway' ? 'gateway' : 'direct';
    const state = rowState(device.mode, chosen, led, updateEndsAt, inp.now);
    const haystack = [device.id, name, location, gateway, device.board, device.hw, device.version, STATE_TEXT[state]].filter(Boolean).join(' ').toLowerCase();
    return { id: device.id, name, location, onList: device.onList ?? null, gateway, board: device.board, hw: device.hw, version: device.version, mode: device.mode, chosen, led, updateEndsAt, state, haystack, device };
  });
}

function rowState(mode: HeardDevice['mode'], chosen: boolean, led: LedAnswerView | null, endsAt: number | null, now: number): RowState {
  if (led === 'no') return 'led-not-seen';
  if (mode !== 'update') return 'normal-mode';
  if (endsAt !== null && endsAt <= now) return 'expired';
  if (!chosen) return 'in-update-mode';
  return led === 'yes' ? 'ready' : 'led-question';
}

/** The rows the filter lets through (text matches any part of id, name, location, gateway, board, version or state). */
export function filterRows(rows: readonly CollectRow[], f: Filter): CollectRow[] {
  const needle = f.text.trim().toLowerCase();
  if (!needle && !f.mode && !f.board && !f.state) return rows as CollectRow[];
  return rows.filter((r) => (!f.mode || r.mode === f.mode) && (!f.board || r.board === f.board) && (!f.state || r.state === f.state) && (!needle || r.haystack.includes(needle)));
}

/** Compares dotted versions part by part as numbers (`1.10.0` after `1.9.2`), then the build after `+`. */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.split(/[.+]/).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? -1;
    const y = pb[i] ?? -1;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x).localeCompare(String(y));
  }
  return 0;
}

const STATE_ORDER: readonly RowState[] = ['expired', 'led-question', 'led-not-seen', 'in-update-mode', 'ready', 'normal-mode'];
const byText = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });

const COMPARE: Readonly<Record<SortKey, (a: CollectRow, b: CollectRow) => number>> = {
  device: (a, b) => byText(a.name ?? a.id, b.name ?? b.id),
  board: (a, b) => byText(a.board, b.board),
  version: (a, b) => compareVersions(a.version, b.version),
  mode: (a, b) => Number(b.mode === 'update') - Number(a.mode === 'update'),
  gateway: (a, b) => byText(a.gateway, b.gateway),
  state: (a, b) => STATE_ORDER.indexOf(a.state) - STATE_ORDER.indexOf(b.state),
  led: (a, b) => (a.led ?? '') .localeCompare(b.led ?? ''),
  // Least time left first; devices with no window last.
  left: (a, b) => (a.updateEndsAt ?? Infinity) - (b.updateEndsAt ?? Infinity) || 0,
  chosen: (a, b) => Number(b.chosen) - Number(a.chosen),
};

/** The rows in the order asked for; ties keep the core's order (update-mode devices first). */
export function sortRows(rows: readonly CollectRow[], sort: Sort | null): CollectRow[] {
  if (!sort) return rows as CollectRow[];
  const cmp = COMPARE[sort.key];
  const sign = sort.dir === 'ascending' ? 1 : -1;
  return rows
    .map((r, i) => [r, i] as const)
    .sort(([a, i], [b, j]) => sign * cmp(a, b) || i - j)
    .map(([r]) => r);
}

/** Ids of the rows shown that are in update mode and not chosen yet: what "Choose all shown in update mode" ticks. */
export function choosableShown(rows: readonly CollectRow[]): string[] {
  return rows.filter((r) => r.mode === 'update' && !r.chosen && r.state !== 'expired' && r.led !== 'no').map((r) => r.id);
}

/** Ids of the chosen devices with no LED answer yet: what the bulk confirmation answers. */
export function unanswered(rows: readonly CollectRow[]): string[] {
  return rows.filter((r) => r.chosen && r.led === null).map((r) => r.id);
}

export type Countdown = { kind: 'none' } | { kind: 'left'; text: string; urgent: boolean } | { kind: 'expired' };

/** "7:12 left", amber under 2 minutes, "expired" at 0. */
export function countdown(endsAt: number | null, now: number): Countdown {
  if (endsAt === null) return { kind: 'none' };
  const s = Math.ceil((endsAt - now) / 1000);
  if (s <= 0) return { kind: 'expired' };
  return { kind: 'left', text: `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')} left`, urgent: s < 120 };
}
