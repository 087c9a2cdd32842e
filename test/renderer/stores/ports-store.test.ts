import { describe, expect, it } from 'vitest';
import type { BundleInfo, PortInfo, Result } from '../../../preload/api';
import { createPortsStore } from '../../../renderer/src/stores/ports-store';
import { createReleasesStore } from '../../../renderer/src/stores/releases-store';
import { fakeBridge } from './fake-bridge';

const NOT_A_PORT = { kind: 'not-a-port', message: '/etc/hostname is not a serial port (not a character device).', userFault: true };

/** A `ports:list` whose answers the test releases one by one, each with the list as it was when asked. */
function heldLists(current: () => PortInfo[]) {
  const held: (() => void)[] = [];
  return {
    answer: () => {
      const list = current();
      return new Promise<Result<PortInfo[]>>((resolve) => held.push(() => resolve({ ok: true, value: list })));
    },
    release: () => held.shift()?.(),
    get waiting() {
      return held.length;
    },
  };
}

describe('ports store: answers that arrive out of order', () => {
  it('keeps the refusal of a typed path when a list asked for before it comes back later (listing the OS ports is slow)', async () => {
    const lists = heldLists(() => []);
    const fake = fakeBridge({ 'ports:list': () => lists.answer(), 'ports:add-by-path': () => ({ ok: false, error: NOT_A_PORT }) });
    const store = createPortsStore(fake.bridge);
    const loading = store.getState().load();
    expect(await store.getState().addByPath('/etc/hostname')).toBe(false);
    lists.release();
    await loading;
    expect(store.getState().error).toEqual(NOT_A_PORT);
    // The older list was not shown; a fresh one was asked for, and it does not clear the refusal either.
    await expect.poll(() => lists.waiting).toBe(1);
    lists.release();
    await expect.poll(() => store.getState().loading).toBe(false);
    expect(store.getState().error).toEqual(NOT_A_PORT);
  });

  it('does not drop a port that appeared while an older list was on its way', async () => {
    let os: PortInfo[] = [];
    const lists = heldLists(() => os);
    const fake = fakeBridge({ 'ports:list': () => lists.answer() });
    const store = createPortsStore(fake.bridge);
    store.getState().watch();
    const loading = store.getState().load();
    const port: PortInfo = { path: '/dev/ttyACM0', source: 'os' };
    os = [port];
    fake.emit('ports:added', port);
    lists.release();
    await loading;
    expect(store.getState().ports).toEqual([port]);
    await expect.poll(() => lists.waiting).toBe(1);
    lists.release();
    await expect.poll(() => fake.calls.filter((c) => c.channel === 'ports:list').length).toBe(2);
    expect(store.getState().ports).toEqual([port]);
  });

  it("clears the list's own error once a list comes back", async () => {
    let fail = true;
    const fake = fakeBridge({ 'ports:list': () => (fail ? { ok: false, error: { kind: 'io', message: 'udevadm failed', userFault: false } } : { ok: true, value: [] }) });
    const store = createPortsStore(fake.bridge);
    await store.getState().load();
    expect(store.getState().error?.message).toBe('udevadm failed');
    fail = false;
    await store.getState().load();
    expect(store.getState().error).toBeNull();
  });
});

describe('releases store: a slow list and an import', () => {
  it('keeps the refusal of an import, and the bundle of an import, when a list asked for before it comes back later', async () => {
    const lists = heldLists(() => []);
    let imports = 0;
    const fake = fakeBridge({
      'releases:list': () => lists.answer() as unknown as Promise<Result<BundleInfo[]>>,
      'keys:list': () => ({ ok: true, value: [] }),
      'releases:import-demo': () => (++imports === 1 ? { ok: false, error: { kind: 'bundle-invalid', message: 'The demo release did not verify.', userFault: false } } : { ok: true, value: { id: 'demo-1', created: '2026-12-01T00:00:00Z' } as BundleInfo }),
    });
    const store = createReleasesStore(fake.bridge);
    const first = store.getState().load();
    await store.getState().importDemo();
    lists.release();
    await first;
    expect(store.getState().error?.message).toBe('The demo release did not verify.');
    await expect.poll(() => lists.waiting).toBe(1);
    const second = store.getState().importDemo();
    await second;
    lists.release();
    await expect.poll(() => lists.waiting).toBe(1);
    expect(store.getState().bundles.map((b) => b.id)).toEqual(['demo-1']);
  });
});
