import { describe, expect, it } from 'vitest';
import type { FleetRuleInfo, SiteListDevice } from '../../../preload/api';
import { toDoReason, toDoRules } from '../../../renderer/src/components/checklist-view';

const rule = (r: Partial<FleetRuleInfo>): FleetRuleInfo => ({ text: '', locked: null, development: false, pinnedVersion: null, target: null, ...r });
const device = (d: Partial<SiteListDevice>): SiteListDevice => ({
  id: '5f1a550000000001', name: 'Tank level', location: 'Tank 2', board: 'sf-sensor-t', hwRev: 'A', rule: null, expectedVersion: '1.5.0+17', done: false, last: null, heard: true, ...d,
});
const line = (d: SiteListDevice) => [toDoReason(d), ...toDoRules(d)].join(' · ');

describe("the site checklist's to-do line", () => {
  it('says a development device is left alone by design, heard or not, tried or not', () => {
    expect(line(device({ rule: rule({ development: true }) }))).toBe('development device: left alone until ticked by itself');
    expect(line(device({ rule: rule({ development: true }), heard: false }))).toBe('development device: left alone until ticked by itself (not heard yet)');
    expect(line(device({ rule: rule({ development: true }), last: { result: 'failed', version: null, at: 1, reason: 'Timed out.' } }))).toBe('development device: left alone until ticked by itself');
  });

  it('says what a development device that was updated runs, and that it is one', () => {
    expect(line(device({ rule: rule({ development: true }), last: { result: 'done', version: '1.4.9+3', at: 1, reason: null } }))).toBe('runs 1.4.9+3, should run 1.5.0+17 · development device');
  });

  it('says why the others are to do: heard or not, the last try, the lock, the pin', () => {
    expect(line(device({}))).toBe('heard, not updated yet · to 1.5.0+17');
    expect(line(device({ heard: false }))).toBe('not heard yet · to 1.5.0+17');
    expect(line(device({ last: { result: 'rolled-back', version: '1.4.2+0', at: 1, reason: 'The new image did not start.' } }))).toBe('last try rolled back: The new image did not start');
    expect(line(device({ rule: rule({ locked: 'Warranty case 4411' }) }))).toBe('locked: Warranty case 4411');
    expect(line(device({ rule: rule({ pinnedVersion: '1.4.9+3' }), expectedVersion: '1.4.9+3' }))).toBe('heard, not updated yet · pinned to 1.4.9+3');
  });
});
