import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { checkClock } from '../../../main/preflight/clock-check';
import { corePreflightEnv } from '../../../main/preflight/preflight-env';
import { readSiteCatalog } from '../../../main/store/catalog-cache';
import { readSyncState } from '../../../main/store/sync-state';
import { systemClock } from '../../../main/sync/clock';
import { probeOnline } from '../../../main/sync/online';
import type { SyncError } from '../../../main/sync/sync-error';
import { makeHarness, type Harness } from './harness';
import { openApiChecker } from './openapi-validator';
import { DEVICES } from './server';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

describe('pulling the catalog', () => {
  it('caches each chosen site with its devices, target versions and the project bundles', async () => {
    h = await makeHarness({ bundles: new Map([['b-1', new Uint8Array([1, 2, 3])]]) });
    await h.connector.pullCatalog(['s-pump-7', 's-depot']);
    const pump = readSiteCatalog(h.db, 's-pump-7');
    expect(pump?.project).toEqual({ id: 'p-north', name: 'North Water Board' });
    // A cloud that sends no fleet-rule fields: every device is cached with no rule.
    const noRule = { location: null, group: null, pinnedVersion: null, locked: false, lockReason: null, development: false };
    expect(pump?.devices).toEqual(DEVICES.filter((d) => d.siteId === 's-pump-7').map((d) => ({ ...d, ...noRule })));
    expect(pump?.systemVersions).toEqual([
      { projectId: 'p-north', version: '2.0.0', bundle: { id: 'b-1', size: 3, sha256: '039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81' } },
    ]);
    expect(readSiteCatalog(h.db, 's-depot')?.devices.map((d) => d.id)).toEqual(['d-101']);
    const checker = openApiChecker();
    expect(h.cloud.exchanges.flatMap((ex) => checker.check(ex))).toEqual([]);
  });

  it('keeps the cached catalog when the cloud cannot be reached', async () => {
    h = await makeHarness();
    await h.connector.pullCatalog(['s-pump-7']);
    h.cloud.down = true;
    const err = await h.connector.pullCatalog(['s-pump-7']).catch((e: unknown) => e);
    expect((err as SyncError).kind).toBe('offline');
    expect(readSiteCatalog(h.db, 's-pump-7')?.devices).toHaveLength(2);
    expect(h.connector.status.online).toBe(false);
  });

  it('reports a site the account cannot see as not-found', async () => {
    h = await makeHarness();
    const err = await h.connector.pullCatalog(['s-elsewhere']).catch((e: unknown) => e);
    expect((err as SyncError).kind).toBe('not-found');
  });
});

describe('online detection', () => {
  it('is online only when the configured server answers its health check', async () => {
    h = await makeHarness();
    expect(await h.connector.checkOnline()).toBe(true);
    h.cloud.down = true;
    expect(await h.connector.checkOnline()).toBe(false);
    expect(h.connector.status.online).toBe(false);
  });

  it('is offline behind a captive portal that answers every URL with a login page', async () => {
    const portal = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Log in to Wi-Fi</html>'));
    await new Promise<void>((r) => portal.listen(0, '127.0.0.1', r));
    const addr = portal.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    const ep = { baseUrl: `http://127.0.0.1:${port}`, fetch, token: async () => null };
    expect(await probeOnline(ep, 1_000)).toEqual({ online: false, cloudOffsetMs: null });
    await new Promise((r) => portal.close(r));
  });

  it('is offline when the server never answers within the probe timeout', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const addr = silent.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    const ep = { baseUrl: `http://127.0.0.1:${port}`, fetch, token: async () => null };
    expect(await probeOnline(ep, 100)).toEqual({ online: false, cloudOffsetMs: null });
    silent.closeAllConnections();
    await new Promise((r) => silent.close(r));
  });

  it("keeps the laptop's clock against the cloud's time from each health answer, for the preflight clock line offline", async () => {
    h = await makeHarness({ connector: { clock: systemClock } });
    // The cloud's clock is 7 minutes ahead: this laptop is 7 minutes behind it.
    h.cloud.clockAheadMs = 7 * 60_000;
    expect(await h.connector.checkOnline()).toBe(true);
    const measured = readSyncState(h.db);
    expect(Math.abs(measured.cloudOffsetMs! + 7 * 60_000), 'within the round trip and the rounding').toBeLessThan(2_000);
    expect(Math.abs(measured.cloudOffsetAt! - Date.now())).toBeLessThan(5_000);
    // Offline later: the preflight reads what was measured when last online.
    h.cloud.down = true;
    expect(await h.connector.checkOnline()).toBe(false);
    const env = corePreflightEnv({ dataDir: h.dir, db: h.db, noble: {} as never, keychain: { list: async () => [] }, siteIds: () => [], releases: async () => [], heard: () => [] });
    expect(env.cloudOffsetMs()).toBe(measured.cloudOffsetMs);
    const line = checkClock({ now: Date.now(), builtAt: null, newestJournalAt: null, lastSyncAt: null, cloudOffsetMs: env.cloudOffsetMs() });
    expect(line).toMatchObject({ status: 'warn' });
    expect(line.detail).toContain("7 minutes behind the cloud's time when last online");
    // Set right again: the next answer replaces it.
    h.cloud.down = false;
    h.cloud.clockAheadMs = 0;
    await h.connector.checkOnline();
    expect(Math.abs(readSyncState(h.db).cloudOffsetMs!)).toBeLessThan(2_000);
  });
});
