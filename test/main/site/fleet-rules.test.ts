import { describe, expect, it } from 'vitest';
import type { DeviceFacts } from '../../../main/jobs/driver';
import { chooseComponent } from '../../../main/jobs/select-component';
import type { JobRelease, ReleaseComponent } from '../../../main/jobs/types';
import { describeRule, gateByRule, jobRuleOf, resolveRule } from '../../../main/site/fleet-rules';

const site = { targetVersion: '2026.10.0', groups: [{ id: 'g-east', name: 'East hall', targetVersion: '2026.11.0' }, { id: 'g-none', name: 'No target', targetVersion: null }] };
const none = { targetVersion: null, group: null, pinnedVersion: null, locked: false, lockReason: null, development: false };

describe('resolveRule: which version applies (device pin over device target over group target over site target)', () => {
  it.each([
    ['nothing set on the device: the site target', {}, { kind: 'target', version: '2026.10.0', from: 'site' }],
    ['in a group with a target: the group target', { group: 'g-east' }, { kind: 'target', version: '2026.11.0', from: 'group' }],
    ['in a group without a target: the site target', { group: 'g-none' }, { kind: 'target', version: '2026.10.0', from: 'site' }],
    ['in a group the site does not list: the site target', { group: 'g-gone' }, { kind: 'target', version: '2026.10.0', from: 'site' }],
    ['its own target over its group', { group: 'g-east', targetVersion: '2026.12.0' }, { kind: 'target', version: '2026.12.0', from: 'device' }],
    ['a pin over its own target and its group', { group: 'g-east', targetVersion: '2026.12.0', pinnedVersion: '1.4.2+0' }, { kind: 'pin', version: '1.4.2+0' }],
    ['a pin with no target anywhere', { pinnedVersion: '1.4.2+0' }, { kind: 'pin', version: '1.4.2+0' }],
  ])('%s', (_what, device, version) => {
    expect(resolveRule({ ...none, ...device }, site).version).toEqual(version);
  });

  it('has no version when neither device, group nor site sets one', () => {
    expect(resolveRule(none, { targetVersion: null, groups: [] })).toEqual({ locked: null, development: false, version: null });
  });

  it('keeps the lock and the development flag beside the version that applies', () => {
    const r = resolveRule({ ...none, locked: true, lockReason: ' Warranty case 4411 ', development: true, pinnedVersion: '1.4.2+0' }, site);
    expect(r).toEqual({ locked: 'Warranty case 4411', development: true, version: { kind: 'pin', version: '1.4.2+0' } });
    expect(describeRule(r)).toBe('locked: Warranty case 4411; development device (chosen one by one only); pinned to 1.4.2+0');
  });
});

describe('gateByRule: what a job does with a device before anything is sent', () => {
  it.each([
    ['no rule', undefined, false, null],
    ['a pin only: goes on to the selection', { pinnedVersion: '1.4.2+0' }, false, null],
    ['locked, chosen by select all', { locked: 'Warranty case 4411' }, false, 'failed locked'],
    ['locked, even chosen one by one', { locked: 'Warranty case 4411' }, true, 'failed locked'],
    ['development, chosen by select all: left alone', { development: true }, false, 'cancelled development-device'],
    ['development, chosen one by one: goes on', { development: true }, true, null],
    ['locked and development, chosen one by one: the lock wins', { locked: 'x', development: true }, true, 'failed locked'],
  ])('%s', (_what, rule, oneByOne, outcome) => {
    const g = gateByRule(rule, oneByOne);
    expect(g ? `${g.end} ${g.kind}` : null).toBe(outcome);
  });

  it('names the lock reason and says nothing was sent', () => {
    expect(gateByRule({ locked: 'Warranty case 4411' }, false)?.message).toBe('Locked in the fleet catalog: Warranty case 4411. Nothing was sent.');
  });

  it('carries into a job only the rules that change what it does (targets do not)', () => {
    expect(jobRuleOf(resolveRule({ ...none, group: 'g-east' }, site))).toBeNull();
    expect(jobRuleOf(resolveRule({ ...none, pinnedVersion: '1.4.2+0', development: true }, site))).toEqual({ pinnedVersion: '1.4.2+0', development: true });
  });
});

const image = (version: string, board: string | null = 'b1'): ReleaseComponent => ({ board, hwRevisions: ['A'], version, path: '/x', size: 10, sha256: 'aa', imageHash: `h-${version}` });
const release = (...components: ReleaseComponent[]): JobRelease => ({ kind: 'bundle', name: 'sys', components });
const device = (version: string): DeviceFacts => ({ board: 'b1', hwRev: 'A', version, slots: [{ slot: 0, version, hash: `h-${version}`, active: true, pending: false, confirmed: true }] });

describe('chooseComponent with a pin', () => {
  it('takes the image of the pinned version, not the newest one', () => {
    const c = chooseComponent(release(image('1.5.0+17'), image('1.4.9+3')), device('1.4.2+0'), { pinnedVersion: '1.4.9+3' });
    expect(c.ok && c.component.version).toBe('1.4.9+3');
  });

  it('refuses a release without the pinned version: "pinned to X, this release has Y"', () => {
    const c = chooseComponent(release(image('1.5.0+17'), image('2.0.0+0', 'other-board')), device('1.4.2+0'), { pinnedVersion: '1.4.9+3' });
    expect(c).toEqual({ ok: false, upToDate: false, kind: 'pinned-version-missing', message: 'Pinned to 1.4.9+3; this release has 1.5.0+17 for b1. Nothing was sent.' });
  });

  it('says when the release has no image at all for the board', () => {
    const c = chooseComponent(release(image('2.0.0+0', 'other-board')), device('1.4.2+0'), { pinnedVersion: '1.4.9+3' });
    expect(c.ok ? '' : c.message).toBe('Pinned to 1.4.9+3; this release has no image for b1. Nothing was sent.');
  });

  it('is up to date when the device already runs its pin, though the release has newer', () => {
    expect(chooseComponent(release(image('1.5.0+17'), image('1.4.9+3')), device('1.4.9+3'), { pinnedVersion: '1.4.9+3' })).toMatchObject({ ok: false, upToDate: true });
  });

  it('still applies the downgrade rule to a pin older than the device runs', () => {
    expect(chooseComponent(release(image('1.4.9+3')), device('1.5.0+17'), { pinnedVersion: '1.4.9+3' })).toMatchObject({ ok: false, kind: 'downgrade' });
    expect(chooseComponent(release(image('1.4.9+3')), device('1.5.0+17'), { pinnedVersion: '1.4.9+3', allowDowngrade: true }).ok).toBe(true);
  });

  it('holds a single image to the pin too', () => {
    const single: JobRelease = { kind: 'image', name: 'app.bin', components: [image('1.5.0+17')] };
    expect(chooseComponent(single, device('1.4.2+0'), { pinnedVersion: '1.4.9+3' })).toMatchObject({ ok: false, kind: 'pinned-version-missing' });
  });
});
