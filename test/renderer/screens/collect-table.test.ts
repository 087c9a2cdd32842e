import { describe, expect, it } from 'vitest';
import type { HeardDevice } from '../../../preload/api';
import { choosableShown, collectRows, compareVersions, countdown, filterRows, NO_FILTER, sortRows, unanswered } from '../../../renderer/src/screens/collect/collect-table';

const dev = (id: string, over: Partial<HeardDevice> = {}): HeardDevice =>
  ({ id, board: 'sf-sensor-t', hw: 'A', version: '1.0.0+0', mode: 'update', led: '', via: 'gateway', gateway: null, target: { kind: 'gateway', deviceId: id }, ...over });

const T = 1_000_000;
const rowsOf = (devices: HeardDevice[], over: Partial<Parameters<typeof collectRows>[1]> = {}) =>
  collectRows(devices, { chosen: new Set(), answers: {}, updateSince: {}, windowMs: 600_000, now: T, ...over });

describe('the Collect table rows', () => {
  it('works out each row state from mode, choice, LED answer and the update-mode window', () => {
    const rows = rowsOf([dev('a'), dev('b'), dev('c'), dev('d', { mode: 'normal' }), dev('e'), dev('f')], {
      chosen: new Set(['a', 'b', 'c']),
      answers: { a: 'yes', c: 'no' },
      updateSince: { a: T - 1000, e: T - 600_000, f: T - 599_000 },
    });
    expect(rows.map((r) => r.state)).toEqual(['ready', 'led-question', 'led-not-seen', 'normal-mode', 'expired', 'in-update-mode']);
    expect(rows[0]?.updateEndsAt).toBe(T - 1000 + 600_000);
    expect(rows[3]?.updateEndsAt).toBeNull();
  });

  it('reads the optional site-list and gateway fields when present, and does without them', () => {
    const [withAll, without] = rowsOf([dev('a', { name: 'Pump 7', location: 'Hall B', onList: false, gateway: { id: 'gw-1', label: 'Gateway north' } }), dev('b')]);
    expect(withAll).toMatchObject({ name: 'Pump 7', location: 'Hall B', onList: false, gateway: 'Gateway north' });
    expect(without).toMatchObject({ name: null, location: null, onList: null, gateway: 'gateway' });
    expect(rowsOf([dev('c', { via: 'direct' })])[0]?.gateway).toBe('direct');
  });

  it('filters by any part of id, name or version, and by mode, board and state together', () => {
    const rows = rowsOf([dev('70b3d5e75e000a01', { name: 'Pump 7' }), dev('70b3d5e75e000b02', { board: 'sf-valve-v', version: '2.1.0+3' }), dev('70b3d5e75e000c03', { mode: 'normal', board: 'sf-valve-v' })]);
    const ids = (f: Partial<typeof NO_FILTER>) => filterRows(rows, { ...NO_FILTER, ...f }).map((r) => r.id.slice(-2));
    expect(ids({ text: '0B0' })).toEqual(['02']);
    expect(ids({ text: 'pump' })).toEqual(['01']);
    expect(ids({ text: '2.1.0' })).toEqual(['02']);
    expect(ids({ board: 'sf-valve-v' })).toEqual(['02', '03']);
    expect(ids({ board: 'sf-valve-v', mode: 'update' })).toEqual(['02']);
    expect(ids({ state: 'normal-mode' })).toEqual(['03']);
    expect(ids({})).toEqual(['01', '02', '03']);
  });

  it('sorts versions as numbers, either way, keeping ties in the core order', () => {
    const rows = rowsOf([dev('a', { version: '1.10.0+1' }), dev('b', { version: '1.9.2+0' }), dev('c', { version: '1.10.0+1' }), dev('d', { version: '1.10.0+12' })]);
    expect(sortRows(rows, { key: 'version', dir: 'ascending' }).map((r) => r.id)).toEqual(['b', 'a', 'c', 'd']);
    expect(sortRows(rows, { key: 'version', dir: 'descending' }).map((r) => r.id)).toEqual(['d', 'a', 'c', 'b']);
    expect(sortRows(rows, null).map((r) => r.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(compareVersions('2.0.0', '10.0.0')).toBeLessThan(0);
  });

  it('sorts by time left, least first, devices with no window last', () => {
    const rows = rowsOf([dev('a'), dev('b', { mode: 'normal' }), dev('c'), dev('d')], { updateSince: { a: T - 100, c: T - 500_000, d: T - 300_000 } });
    expect(sortRows(rows, { key: 'left', dir: 'ascending' }).map((r) => r.id)).toEqual(['c', 'd', 'a', 'b']);
  });

  it('offers to choose only the shown devices in update mode not chosen yet, not expired, not answered "no"', () => {
    const rows = rowsOf([dev('a'), dev('b'), dev('c', { mode: 'normal' }), dev('d'), dev('e'), dev('f')], {
      chosen: new Set(['b']),
      answers: { d: 'no' },
      updateSince: { e: T - 700_000 },
    });
    expect(choosableShown(rows)).toEqual(['a', 'f']);
    expect(choosableShown(rows.filter((r) => r.id !== 'a'))).toEqual(['f']);
  });

  it('lists the chosen devices with no LED answer for the bulk confirmation', () => {
    const rows = rowsOf([dev('a'), dev('b'), dev('c')], { chosen: new Set(['a', 'b']), answers: { a: 'yes' } });
    expect(unanswered(rows)).toEqual(['b']);
  });
});

describe('the update-mode countdown', () => {
  it('says minutes and seconds left, amber under two minutes, expired at zero', () => {
    expect(countdown(null, T)).toEqual({ kind: 'none' });
    expect(countdown(T + 432_000, T)).toEqual({ kind: 'left', text: '7:12 left', urgent: false });
    expect(countdown(T + 120_000, T)).toEqual({ kind: 'left', text: '2:00 left', urgent: false });
    expect(countdown(T + 119_000, T)).toEqual({ kind: 'left', text: '1:59 left', urgent: true });
    expect(countdown(T + 400, T)).toEqual({ kind: 'left', text: '0:01 left', urgent: true });
    expect(countdown(T, T)).toEqual({ kind: 'expired' });
  });
});
