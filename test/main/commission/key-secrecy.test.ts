import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keychainNetKeys } from '../../../main/commission/net-key';
import { networkJobSpec } from '../../../main/commission/network-job';
import { JobsService } from '../../../main/jobs/jobs-service';
import { SmpDriver } from '../../../main/jobs/smp-driver';
import type { Link } from '../../../main/links/link';
import { LogHub } from '../../../main/log/logger';
import { redactSecrets } from '../../../main/secrets/redact';
import { SimDevice } from '../../../main/sim/device';
import { ManualClock } from '../../../main/sim/manual-clock';
import { seededRandom } from '../../../main/sim/rng';
import { createSimLink } from '../../../main/sim/sim-link';
import { drive } from '../gateway/sim-gateway';
import { tempDb } from '../jobs/helpers';
import { clearKeychain, freshProjectKey, keychain, NEW_NET, netDeviceOptions, type NetFault } from './net-fleet';

const cleanups: (() => void)[] = [];
afterAll(async () => {
  cleanups.forEach((c) => c());
  await clearKeychain();
});

/** Every byte form the key could take in a file: raw, hex either case, base64 of the bytes and of the hex text. */
function forms(bytes: Uint8Array): Buffer[] {
  const hex = Buffer.from(bytes).toString('hex');
  return [Buffer.from(bytes), Buffer.from(hex), Buffer.from(hex.toUpperCase()), Buffer.from(Buffer.from(bytes).toString('base64')), Buffer.from(Buffer.from(hex).toString('base64'))];
}

function holders(files: string[], bytes: Uint8Array): string[] {
  return files.filter((f) => forms(bytes).some((needle) => readFileSync(f).includes(needle)));
}

describe('the network key stays in the keychain and the device', () => {
  it('is nowhere in the database (and its WAL), the log, the events or the CSV export after a re-key with failures', { timeout: 30_000 }, async () => {
    const key = await freshProjectKey('secret-site');
    const clock = new ManualClock();
    const faults: (NetFault | undefined)[] = [undefined, 'save-lost-once', 'save-always-lost', 'power-loss-before-reset'];
    const devices = faults.map((f, n) => new SimDevice(netDeviceOptions(70 + n, clock, f)));
    const links = new Map<string, Link>(devices.map((d, n) => [`k${n}`, createSimLink(d, { framing: 'serial', clock, name: `k${n}` })]));
    const { db, dir, cleanup } = tempDb();
    cleanups.push(cleanup, () => devices.forEach((d) => d.dispose()));
    const logFile = join(dir, 'logs', 'siteflash.log');
    const hub = new LogHub(logFile, () => new Date(0), 'debug');
    hub.addRedactor(redactSecrets);
    const log = hub.logger().child('jobs');
    const driver = new SmpDriver({ clock, timeoutMs: 500, resetSettleMs: 50, openLink: (t) => links.get(t.link.kind === 'loopback' ? t.link.name : '') as Link });
    const service = new JobsService({ db, driver, clock, rng: seededRandom(1), netKey: keychainNetKeys(keychain) });
    // Everything the app would show or log: every event and snapshot, unredacted here, and through the log hub.
    const shown: string[] = [];
    for (const e of ['job:device-state', 'job:progress', 'job:state', 'job:led-prompt'] as const) {
      service.on(e, (v) => {
        shown.push(JSON.stringify(v));
        log.debug(`${e} ${JSON.stringify(v)}`);
      });
    }
    const id = service.start(networkJobSpec({ targets: devices.map((_, n) => ({ link: { kind: 'loopback', name: `k${n}` } })), network: { projectId: 'secret-site', ...NEW_NET }, technician: 'Ada Tech', policy: { ledConfirm: false, retries: 2, rejoinTimeoutMs: 5000 } }));
    const job = await drive(clock, service.whenSettled(id), 20);
    expect(job.devices.map((d) => d.state)).toEqual(['done', 'done', 'failed', 'done']);
    for (const d of job.devices) log.info(`${d.key} ${d.state} ${d.reason ?? ''}`);
    const csv = join(dir, 'history.csv');
    expect(await service.exportCsv({}, csv)).toBe(4);
    shown.push(JSON.stringify(job), JSON.stringify(service.journal.events(id)), JSON.stringify(service.history()), JSON.stringify(service.journal.job(id)));

    // The devices did receive it.
    expect(Buffer.from(devices[0]?.settings.persistedValue('net/key') ?? []).toString('hex')).toBe(key.hex);
    const text = shown.join('\n');
    for (const needle of forms(key.bytes)) expect(text.includes(needle.toString('latin1'))).toBe(false);
    // The WAL is still there while the database is open; both it and the main file are searched.
    const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
    expect(files.some((f) => f.endsWith('-wal'))).toBe(true);
    expect(files).toEqual(expect.arrayContaining([logFile, csv]));
    expect(holders(files, key.bytes)).toEqual([]);
    expect(readFileSync(logFile, 'utf8')).toMatch(/job:device-state .*"to":"done"/);
    // The search does find the key where it is written: a file with it in base64 is reported.
    const canary = join(dir, 'canary.txt');
    writeFileSync(canary, `x${Buffer.from(key.bytes).toString('base64')}x`);
    expect(holders([canary, csv], key.bytes)).toEqual([canary]);
    await service.close();
  });

  it('teaches the redactor every text form of a key read from the keychain', async () => {
    const key = await freshProjectKey('redact-site');
    const bytes = await keychainNetKeys(keychain)('redact-site');
    expect(Buffer.from(bytes).toString('hex')).toBe(key.hex);
    const line = `a ${key.hex} b ${key.hex.toUpperCase()} c ${Buffer.from(key.bytes).toString('base64')}`;
    expect(redactSecrets(line)).toBe('a [redacted] b [redacted] c [redacted]');
  });

  it('says how to set a missing key, without a value in the message', async () => {
    await expect(keychainNetKeys(keychain)('no-key-here')).rejects.toMatchObject({ kind: 'net-key-missing', message: expect.stringMatching(/siteflash secrets set-net-key --project no-key-here/) });
  });
});
