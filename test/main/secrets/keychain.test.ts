import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SiteflashError } from '../../../main/errors';
import { LogHub } from '../../../main/log/logger';
import { redactSecrets } from '../../../main/secrets/redact';
import { keychainService, netKeyName } from '../../../main/secrets/secret-names';
import { SecretStore } from '../../../main/secrets/secret-store';
import { readSyncState } from '../../../main/store/sync-state';
import { makeHarness } from '../sync/harness';

// These tests talk to a real Secret Service through keytar (a throwaway keyring under
// test/with-keyring.sh), under this process's own service name: other test files use the keyring at
// the same time, and a developer's own siteflash secrets are never touched.
const service = `siteflash-test-${process.pid}`;
const store = new SecretStore({ service });

/**
 * Fails the calling test (not skips it) when no Secret Service answers. Called at the start of each
 * test rather than in beforeAll, so every test is reported failed and the reason is on each.
 */
async function requireKeychain(): Promise<void> {
  try {
    await store.list();
  } catch (err) {
    if (err instanceof SiteflashError && err.kind === 'keychain-unavailable') {
      throw new Error(
        'No Secret Service is reachable, so the real keychain tests cannot run. ' +
          'Run them under test/with-keyring.sh, e.g. `test/with-keyring.sh npx vitest run test/main/secrets`. ' +
          `(${err.message})`,
        { cause: err },
      );
    }
    throw err;
  }
}

afterAll(async () => {
  // Only this file's names: other files share the keyring at the same time.
  for (const name of ['cloud-token', netKeyName('p-north')] as const) await store.delete(name).catch(() => false);
});

/** Every file under `dir` that contains `needle` as UTF-8 or base64. */
function filesContaining(dir: string, needle: string): string[] {
  const forms = [Buffer.from(needle), Buffer.from(Buffer.from(needle).toString('base64'))];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name))
    .filter((f) => {
      const bytes = readFileSync(f);
      return forms.some((form) => bytes.includes(form));
    });
}

describe('the OS keychain through keytar', () => {
  it('stores, reads, lists and deletes the cloud token and a network key', async () => {
    await requireKeychain();
    const token = `tok-${randomBytes(12).toString('hex')}`;
    const key = randomBytes(16).toString('hex');
    const net = netKeyName('p-north');
    await store.set('cloud-token', token);
    await store.set(net, key);
    expect(await store.get('cloud-token')).toBe(token);
    expect(await store.get(net)).toBe(key);
    // Other test files run at the same time in the same keyring (a Core stores its laptop key): look only at these two names.
    const ours = async () => (await store.list()).filter((n) => n === 'cloud-token' || n === net);
    expect(await ours()).toEqual(['cloud-token', net]);
    expect(await store.has(net)).toBe(true);

    await store.set(net, `${key}-rotated`);
    expect(await store.get(net)).toBe(`${key}-rotated`);

    expect(await store.delete(net)).toBe(true);
    expect(await store.delete(net)).toBe(false);
    expect(await store.get(net)).toBeNull();
    expect(await store.has(net)).toBe(false);
    expect(await ours()).toEqual(['cloud-token']);
    await store.delete('cloud-token');
  });

  it('keeps the secrets of a data folder set by SITEFLASH_DATA_DIR apart from the usual folder and from another such folder', async () => {
    await requireKeychain();
    expect(keychainService({})).toBe('siteflash');
    expect(keychainService({ SITEFLASH_DATA_DIR: 'scratch/sf' })).toBe(`siteflash:${resolve('scratch/sf')}`);
    const folders = [`/tmp/siteflash-a-${process.pid}`, `/tmp/siteflash-b-${process.pid}`];
    const [a, b] = folders.map((f) => new SecretStore({ service: keychainService({ SITEFLASH_DATA_DIR: f }) }));
    try {
      await a!.set('cloud-token', 'tok-folder-a');
      expect(await b!.get('cloud-token')).toBeNull();
      await b!.set('cloud-token', 'tok-folder-b');
      expect(await a!.get('cloud-token')).toBe('tok-folder-a');
    } finally {
      for (const s of [a!, b!]) await s.delete('cloud-token').catch(() => false);
    }
  });

  it('never lets a canary secret reach the database, its WAL, logs or exports', async () => {
    await requireKeychain();
    const canary = `canary-${randomBytes(16).toString('hex')}`;
    const netCanary = `netkey-${randomBytes(16).toString('hex')}`;
    await store.set('cloud-token', canary);
    await store.set(netKeyName('p-north'), netCanary);

    const h = await makeHarness({ connector: { token: () => store.get('cloud-token'), redact: redactSecrets } });
    // The cloud wants the canary as its token, so a successful sync proves the secret was really used.
    h.cloud.token = canary;
    try {
      // The core's own logger, wired to the redactor as the app wires it.
      const logFile = join(h.dir, 'logs', 'siteflash.log');
      const hub = new LogHub(logFile);
      hub.addRedactor(redactSecrets);
      const logger = hub.logger('siteflash').child('sync');
      const log = (line: string): void => logger.info(line);

      for (let i = 0; i < 50; i++) h.connector.enqueue('result', { device: `d-${i}`, outcome: 'done' }, `r-${i}`);
      const ok = await h.connector.syncNow({ siteIds: ['s-pump-7'] });
      expect(ok.error).toBeNull();
      expect(h.cloud.committed.size).toBe(50);
      log(`sync ok with Authorization: Bearer ${canary}`);
      log(`re-keying with ${netCanary}`);

      // A refused token: the error path writes last_error to the database and the log.
      h.cloud.token = 'another-token';
      h.connector.enqueue('audit', { what: 'rekey', key: '[not the key]' }, 'a-1');
      const refused = await h.connector.syncNow();
      expect(refused.error?.kind).toBe('unauthorized');
      log(`sync failed: ${refused.error?.message} (token ${canary})`);

      const exportFile = join(h.dir, 'exports', 'sync-report.json');
      mkdirSync(join(h.dir, 'exports'), { recursive: true });
      writeFileSync(exportFile, redactSecrets(JSON.stringify({ status: h.connector.status, state: readSyncState(h.db), token: canary })));

      const files = readdirSync(h.dir);
      expect(files).toEqual(expect.arrayContaining(['siteflash.db', 'siteflash.db-wal', 'logs', 'exports']));
      expect(filesContaining(h.dir, canary)).toEqual([]);
      expect(filesContaining(h.dir, netCanary)).toEqual([]);
      expect(readFileSync(logFile, 'utf8')).toContain('[redacted]');

      // The scan itself can find a canary: a file written without redaction is caught.
      writeFileSync(join(h.dir, 'exports', 'unredacted.txt'), canary);
      expect(filesContaining(h.dir, canary)).toEqual([join(h.dir, 'exports', 'unredacted.txt')]);
    } finally {
      await h.close();
      await store.delete('cloud-token');
      await store.delete(netKeyName('p-north'));
    }
  });
});
