import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkBluetooth } from '../../../main/preflight/bluetooth-check';
import { worstOf } from '../../../main/preflight/check';
import { checkClock } from '../../../main/preflight/clock-check';
import { checkDisk, JOURNAL_RESERVE } from '../../../main/preflight/disk-check';
import { checkKeychain } from '../../../main/preflight/keychain-check';
import { SecretStore } from '../../../main/secrets/secret-store';
import type { KeychainBackend } from '../../../main/secrets/keychain';
import { FakeClock } from '../links/fake-clock';
import { NobleDouble } from '../links/doubles/noble-double';

describe('Bluetooth adapter (noble double at the library boundary)', () => {
  const run = async (state: string, needed = false) => {
    const clock = new FakeClock();
    const result = checkBluetooth({ noble: new NobleDouble(clock, state), platform: 'linux', needed, schedule: (fn, ms) => clock.schedule(fn, ms), timeoutMs: 3000 });
    await clock.advance(3000);
    return result;
  };

  it('is ok when noble reports poweredOn', async () => {
    expect(await run('poweredOn')).toMatchObject({ id: 'bluetooth', status: 'ok' });
  });

  it('no adapter: a warning for the visit, a failure for a batch with BLE devices, with the fix', async () => {
    const visit = await run('unsupported');
    expect(visit.status).toBe('warn');
    expect(visit.detail).toContain('No usable Bluetooth LE adapter');
    expect(visit.fix).toContain('Plug in a Bluetooth LE');
    expect((await run('unsupported', true)).status).toBe('fail');
  });

  it('an adapter that stays off warns with how to turn it on', async () => {
    const check = await run('poweredOff');
    expect(check.status).toBe('warn');
    expect(check.detail).toContain('off (state: poweredOff)');
    expect(check.fix).toContain('rfkill unblock bluetooth');
  });

  it('a refused adapter fails with the setcap command', async () => {
    const check = await run('unauthorized');
    expect(check.status).toBe('fail');
    expect(check.fix).toContain('setcap cap_net_raw+eip');
  });

  it('noble that cannot be loaded warns: no Bluetooth support here', async () => {
    const check = await checkBluetooth({ noble: () => Promise.reject(new Error('no HCI binding')), platform: 'linux' });
    expect(check.status).toBe('warn');
    expect(check.detail).toContain('no HCI binding');
  });
});

describe('keychain', () => {
  const backend = (creds: string[] | Error): KeychainBackend => ({
    getPassword: async () => null,
    setPassword: async () => undefined,
    deletePassword: async () => false,
    findCredentials: async () => {
      if (creds instanceof Error) throw creds;
      return creds.map((account) => ({ account, password: 'x' }));
    },
  });

  it('is ok when the keychain lists siteflash secrets, and counts the network keys', async () => {
    const store = new SecretStore({ backend: async () => backend(['cloud-token', 'net-key:plant-7', 'net-key:plant-9']) });
    const check = await checkKeychain(store, 'linux');
    expect(check.status).toBe('ok');
    expect(check.detail).toContain('3 siteflash secrets stored, 2 network keys');
  });

  it('fails with the keychain\'s own words and how to start one', async () => {
    const store = new SecretStore({ backend: async () => backend(new Error('Cannot autolaunch D-Bus without X11 $DISPLAY')) });
    const check = await checkKeychain(store, 'linux');
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('(Cannot autolaunch D-Bus without X11 $DISPLAY)');
    expect(check.fix).toContain('GNOME Keyring');
  });
});

describe('disk space (statfs of a real temp folder)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'siteflash-disk-'));

  it('is ok with room for the journal, and says how much is free and needed', async () => {
    const check = await checkDisk({ dataDir, bundlesToStore: 0, bundleCount: 0 });
    expect(check.status).toBe('ok');
    expect(check.detail).toMatch(/^[\d.]+ (GiB|MiB) free in .*; needed: 256 MiB/);
  });

  it('fails when the bundles still to download do not fit', async () => {
    const check = await checkDisk({ dataDir, bundlesToStore: 2 ** 52, bundleCount: 3 });
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('3 release bundles still to download');
    expect(check.fix).toContain('SITEFLASH_DATA_DIR');
  });

  it('warns under twice what is needed (free space from the OS boundary)', async () => {
    const statfs = async () => ({ bavail: (JOURNAL_RESERVE * 1.5) / 4096, bsize: 4096 });
    expect((await checkDisk({ dataDir, bundlesToStore: 0, bundleCount: 0, statfs })).status).toBe('warn');
  });

  it('is unknown when the folder cannot be asked', async () => {
    const check = await checkDisk({ dataDir: join(dataDir, 'missing'), bundlesToStore: 0, bundleCount: 0 });
    expect(check.status).toBe('unknown');
    expect(check.detail).toContain('ENOENT');
  });
});

describe('clock', () => {
  const day = Date.UTC(2026, 11, 2, 12, 0, 0);
  const base = { now: day, builtAt: day - 86_400_000, newestJournalAt: day - 3_600_000, lastSyncAt: day - 7_200_000, cloudOffsetMs: 20_000 };

  it('is ok after the build, the journal and the last sync, and close to the cloud', () => {
    const check = checkClock(base);
    expect(check.status).toBe('ok');
    expect(check.detail).toContain('not before the build date, the newest journal entry, the last sync');
  });

  it('fails before the build date, before the newest journal entry, before the last sync', () => {
    expect(checkClock({ ...base, builtAt: day + 3_600_000 })).toMatchObject({ status: 'fail', detail: expect.stringContaining('before this version of siteflash was built') });
    expect(checkClock({ ...base, newestJournalAt: day + 3_600_000 })).toMatchObject({ status: 'fail', detail: expect.stringContaining('newest entry of the journal (2026-12-02 13:00:00 UTC)') });
    expect(checkClock({ ...base, lastSyncAt: day + 600_000 }).status).toBe('fail');
    expect(checkClock({ ...base, lastSyncAt: day + 600_000 }).fix).toContain('timedatectl');
  });

  it('warns when it was more than 5 minutes off the cloud\'s time', () => {
    expect(checkClock({ ...base, cloudOffsetMs: -6 * 60_000 })).toMatchObject({ status: 'warn', detail: expect.stringContaining('6 minutes behind') });
    expect(checkClock({ ...base, cloudOffsetMs: 4 * 60_000 }).status).toBe('ok');
  });

  it('says what it could not compare', () => {
    expect(checkClock({ now: day, builtAt: null, newestJournalAt: null, lastSyncAt: null, cloudOffsetMs: null }).detail).toBe("The clock says 2026-12-02 12:00:00 UTC. Not compared with the cloud's time (none measured yet).");
  });
});

describe('worst status', () => {
  it('orders fail < unknown < warn < ok', () => {
    expect(worstOf(['ok', 'warn', 'unknown'])).toBe('unknown');
    expect(worstOf(['warn', 'fail', 'unknown'])).toBe('fail');
    expect(worstOf(['ok', 'warn'])).toBe('warn');
    expect(worstOf([])).toBe('ok');
  });
});
