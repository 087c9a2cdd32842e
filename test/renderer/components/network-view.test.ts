import { describe, expect, it } from 'vitest';
import type { DeviceSnapshot, DeviceState, JobSnapshot } from '../../../preload/api';
import { toRowModel } from '../../../renderer/src/components/job-view';
import { auditChangeText, networkCountsText, networkStepText, releasePhaseOf, secondPhaseOf, settingsValueText } from '../../../renderer/src/components/network-view';

const none = { bytes: 0, total: 0, rate: 0, etaSeconds: null };

function device(key: string, state: DeviceState, reasonKind: string | null = null): DeviceSnapshot {
  return {
    key,
    link: key,
    state,
    reason: reasonKind ? 'Needs attention: the device did not rejoin on PAN 0xbeef (no answer). Check its power, then retry it.' : null,
    reasonKind,
    deviceId: null,
    board: 'sf-sensor-t',
    fromVersion: 'pan 0x1234 ch 11 aes-ccm-64',
    toVersion: 'pan 0xbeef ch 20 aes-ccm-128',
    paused: false,
    retries: 0,
    attempt: 1,
    progress: none,
    ledPrompt: null,
    ledAnswers: [],
  };
}

function job(id: string, createdAt: number, devices: DeviceSnapshot[], network?: JobSnapshot['network']): JobSnapshot {
  return {
    id,
    state: 'running',
    createdAt,
    technician: 't',
    site: null,
    release: network ? 'network pan 0xbeef ch 20 aes-ccm-128 (project plant-7)' : '2.0.0',
    policy: { ledConfirm: false, retries: 0, afterRejoin: 'confirm' },
    devices,
    progress: none,
    counts: {},
    ...(network ? { network } : {}),
  };
}

const A = 'loopback:gateway/5f1a0d0000000001';
const B = 'loopback:gateway/5f1a0d0000000002';
const C = 'loopback:demo/5f1a0d00000000a1';

describe('a network job device that did not rejoin', () => {
  it('shows as needing attention, with its reason and what to try, not as a plain failure', () => {
    const row = toRowModel(device(A, 'failed', 'not-rejoined'), undefined, true);
    expect(row.state).toBe('needs-attention');
    expect(row.failure?.reason).toMatch(/^Needs attention: the device did not rejoin/);
    expect(row.failure?.action).toMatch(/Retry failed/);
    expect(row.note).toBe('Did not rejoin the network');
  });

  it('keeps other failures failed', () => {
    expect(toRowModel(device(A, 'failed', 'timeout'), undefined, true).state).toBe('failed');
    expect(toRowModel(device(A, 'failed', 'not-rejoined')).note).toBeUndefined();
  });

  it('says the settings step instead of a transfer', () => {
    expect(networkStepText(device(A, 'transferring'))).toBe('Writing the settings');
    expect(networkStepText(device(A, 'installing'))).toBe('Saving the settings and restarting');
    expect(networkStepText(device(A, 'done'))).toBe('On the new settings');
  });
});

describe('networkCountsText', () => {
  it('reads the old/new counts against the number of devices', () => {
    const j = job('n', 1, [device(A, 'done'), device(B, 'done'), device(C, 'installing')], { old: 1, new: 2, unknown: 0 });
    expect(networkCountsText(j)).toBe('2 of 3 on the new settings · 1 on the old · 0 not known yet');
  });
});

describe('the second phase of a commissioning', () => {
  const network = { ...job('n', 100, [device(A, 'done'), device(B, 'done'), device(C, 'failed', 'not-rejoined')], { old: 1, new: 2, unknown: 0 }), state: 'finished' as const };

  it('is the firmware job started after it on devices that finished its network phase', () => {
    const earlier = job('old', 50, [device(A, 'done')]);
    const other = job('other', 200, [device(A, 'transferring'), device(C, 'transferring')]);
    const release = job('fw', 150, [device(A, 'transferring'), device(B, 'transferring')]);
    const jobs = [other, release, network, earlier];
    expect(secondPhaseOf(jobs, network)?.id).toBe('fw');
    expect(releasePhaseOf(jobs, network, true)).toEqual({ state: 'started', job: release });
  });

  it('is waiting while none started, and none when no device rejoined', () => {
    expect(releasePhaseOf([network], network, true)).toEqual({ state: 'waiting' });
    const lost = { ...network, devices: network.devices.map((d) => ({ ...d, state: 'failed' as const })) };
    expect(releasePhaseOf([lost], lost, true)).toMatchObject({ state: 'none' });
    expect(releasePhaseOf([lost], lost, false)).toEqual({ state: 'waiting' });
  });

  it('is never another network job', () => {
    const again = job('n2', 300, [device(A, 'transferring')], { old: 1, new: 0, unknown: 0 });
    expect(secondPhaseOf([again, network], network)).toBeNull();
  });
});

describe('auditChangeText', () => {
  const net = 'network pan 0xbeef ch 20 aes-ccm-128 (project plant-7)';

  it('names the settings of a network row whose versions are empty', () => {
    expect(auditChangeText({ fromVersion: null, toVersion: null }, net)).toBe('Network: pan 0xbeef ch 20 aes-ccm-128 (project plant-7)');
  });

  it('shows versions when the row has them', () => {
    expect(auditChangeText({ fromVersion: '1.0.0', toVersion: '2.0.0' }, '2.0.0')).toBe('1.0.0 → 2.0.0');
    expect(auditChangeText({ fromVersion: 'pan 0x1234', toVersion: null }, net)).toBe('Network: pan 0x1234 → not reached');
  });

  it('says a device new from the box had no network yet', () => {
    expect(auditChangeText({ fromVersion: 'pan ?', toVersion: 'pan 0xbeef ch 20 aes-ccm-128' }, net)).toBe('Network: no network yet → pan 0xbeef ch 20 aes-ccm-128');
    expect(settingsValueText('pan 0x1234 ch 11 none')).toBe('pan 0x1234 ch 11 none');
    expect(settingsValueText(null)).toBeNull();
  });

  it('says so when nothing is known', () => {
    expect(auditChangeText({ fromVersion: null, toVersion: null }, undefined)).toBe('Not recorded');
    expect(auditChangeText({ fromVersion: null, toVersion: null }, '2.0.0')).toBe('Release 2.0.0 (versions not recorded)');
  });
});
