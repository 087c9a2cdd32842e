import { describe, expect, it } from 'vitest';
import type { AppSettings, JobSnapshot, SecretsStatus } from '../../../preload/api';
import { createJobsStore } from '../../../renderer/src/stores/jobs-store';
import { createSettingsStore } from '../../../renderer/src/stores/settings-store';
import { createSyncStore } from '../../../renderer/src/stores/sync-store';
import { fakeBridge } from './fake-bridge';

const KEY = '00112233445566778899aabbccddeeff';

describe('settings store: answers that arrive out of order', () => {
  const settingsWith = (cloudUrl: string): AppSettings => ({ siteName: '', technician: '', siteIds: [], cloudUrl });

  it('keeps a saved URL when a load that started before the save answers after it (a slow keychain)', async () => {
    let current = settingsWith('');
    let answerGet!: () => void;
    let answerStatus!: () => void;
    const fake = fakeBridge({
      // The load's read happens before the save, and its answer is held back by the test.
      'settings:get': () => {
        const read = current;
        return new Promise((resolve) => (answerGet = () => resolve({ ok: true, value: read })));
      },
      'secrets:status': () => new Promise((resolve) => (answerStatus = () => resolve({ ok: true, value: { keychain: 'available', cloudToken: false, netKeys: [] } }))),
      'settings:set': (changes) => ((current = { ...current, ...changes }), { ok: true, value: current }),
    });
    const store = createSettingsStore(fake.bridge);
    const loading = store.getState().load();
    expect(await store.getState().save({ cloudUrl: 'http://127.0.0.1:9' })).toBe(true);
    answerGet();
    answerStatus();
    await loading;
    expect(store.getState().settings?.cloudUrl).toBe('http://127.0.0.1:9');
    expect(store.getState().secrets?.keychain).toBe('available');
    expect(store.getState().error).toBeNull();
  });

  it('shows the settings before the keychain answers', async () => {
    let answerStatus!: () => void;
    const fake = fakeBridge({
      'settings:get': () => ({ ok: true, value: settingsWith('http://cloud') }),
      'secrets:status': () => new Promise((resolve) => (answerStatus = () => resolve({ ok: true, value: { keychain: 'available', cloudToken: true, netKeys: [] } }))),
    });
    const store = createSettingsStore(fake.bridge);
    const loading = store.getState().load();
    await expect.poll(() => store.getState().settings?.cloudUrl).toBe('http://cloud');
    expect(store.getState().secrets).toBeNull();
    answerStatus();
    await loading;
    expect(store.getState().secrets?.cloudToken).toBe(true);
  });
});

describe('settings store: network keys', () => {
  it('hands the key to the keychain and keeps only which projects have one', async () => {
    let status: SecretsStatus = { keychain: 'available', cloudToken: false, netKeys: [] };
    const fake = fakeBridge({
      'secrets:set-net-key': ({ projectId }) => ((status = { ...status, netKeys: [projectId] }), { ok: true, value: null }),
      'secrets:status': () => ({ ok: true, value: status }),
    });
    const store = createSettingsStore(fake.bridge);
    expect(await store.getState().setNetKey('plant-7', KEY)).toBe(true);
    expect(fake.calls.map((c) => c.channel)).toEqual(['secrets:set-net-key', 'secrets:status']);
    expect(store.getState()).toMatchObject({ busy: null, saved: 'net-key', secrets: { netKeys: ['plant-7'] } });
    expect(JSON.stringify(store.getState())).not.toContain(KEY);
  });

  it('reports a refusal and leaves the status as it was', async () => {
    const fake = fakeBridge({ 'secrets:set-net-key': () => ({ ok: false, error: { kind: 'keychain-unavailable', message: 'No keychain.', userFault: true } }) });
    const store = createSettingsStore(fake.bridge);
    expect(await store.getState().setNetKey('plant-7', KEY)).toBe(false);
    expect(store.getState()).toMatchObject({ busy: null, saved: null, secrets: null, error: { kind: 'keychain-unavailable' } });
  });
});

describe('sync store: preparing a visit', () => {
  it('keeps what the core brought, errors in words included', async () => {
    const fake = fakeBridge({ 'sync:prepare': () => ({ ok: true, value: { sites: [], error: 'No cloud server is set up.' } }) });
    const store = createSyncStore(fake.bridge);
    const pending = store.getState().prepare(['s-pump-7']);
    expect(store.getState().preparing).toBe(true);
    expect(await pending).toBe(true);
    expect(fake.calls).toEqual([{ channel: 'sync:prepare', args: { siteIds: ['s-pump-7'] } }]);
    expect(store.getState()).toMatchObject({ preparing: false, preparation: { error: 'No cloud server is set up.' }, prepareError: null });
  });

  it('keeps a refused request apart from the preparation', async () => {
    const fake = fakeBridge({ 'sync:prepare': () => ({ ok: false, error: { kind: 'invalid-args', message: 'bad ids', userFault: true } }) });
    const store = createSyncStore(fake.bridge);
    expect(await store.getState().prepare(['x'])).toBe(false);
    expect(store.getState()).toMatchObject({ preparing: false, preparation: null, prepareError: { message: 'bad ids' } });
  });
});

describe('jobs store: commissioning', () => {
  const snapshot = (id: string, createdAt: number): JobSnapshot => ({
    id, state: 'running', createdAt, technician: 't', site: null, release: 'r', policy: { ledConfirm: false, retries: 0, afterRejoin: 'confirm' },
    devices: [], progress: { bytes: 0, total: 0, rate: 0, etaSeconds: null }, counts: {},
  });

  it('remembers which started jobs are the first phase of a commissioning, and shows another phase on request', async () => {
    let n = 0;
    const fake = fakeBridge({ 'job:start': () => ({ ok: true, value: snapshot(`j${++n}`, n) }), 'job:list': () => ({ ok: true, value: [] }) });
    const store = createJobsStore(fake.bridge);
    const base = { targets: [{ link: { kind: 'demo' as const, deviceId: '5f1a0d00000000a1' } }], policy: { ledConfirm: false, retries: 0, afterRejoin: 'confirm' as const } };
    await store.getState().start({ ...base, bundleId: 'b' });
    await store.getState().start({ ...base, kind: 'commission', bundleId: 'b', network: { projectId: 'p', panId: 1, channel: 11, security: 'none' } });
    expect(store.getState().commissions).toEqual(['j2']);
    expect(store.getState().currentId).toBe('j2');
    store.getState().show('j1');
    expect(store.getState().currentId).toBe('j1');
    store.getState().show('unknown');
    expect(store.getState().currentId).toBe('j1');
  });
});
