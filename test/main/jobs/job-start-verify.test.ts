/**
 * The core verifies a job's bundle again when the job starts, whatever the renderer shows: a
 * bundle whose files changed on disk, or whose release key is no longer trusted, is refused with a
 * clear error and no job is created; a demo release goes to demo devices only.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobStartRequest } from '../../../preload/api';
import { Core } from '../../../main/core';
import { DEMO_BUNDLE } from '../../../main/demo/demo-catalog';
import { buildImage, seededBody } from '../../../main/image/build';
import { buildBundle, writeBundleFolder } from '../../../main/image/bundle-build';
import { testSigningKeys } from '../image/signing-keys';

const tmp = mkdtempSync(join(tmpdir(), 'siteflash-startcheck-'));
const cores: Core[] = [];
afterAll(async () => {
  for (const c of cores) await c.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** A core whose data folder trusts a fresh key pair, with one bundle signed by it imported. */
async function coreWithBundle(name: string): Promise<{ core: Core; dataDir: string; id: string }> {
  const dataDir = join(tmp, name);
  const keys = testSigningKeys(dataDir);
  const image = buildImage({ body: seededBody(name, 5000), version: '2.0.0', signingKey: keys.image, board: 'sf-board' });
  const src = join(tmp, `${name}-bundle`);
  await writeBundleFolder(src, buildBundle({ id: `site-${name}`, systemVersion: '2.0.0', created: '2026-12-01T00:00:00Z', releaseKey: keys.release, components: [{ board: 'sf-board', hwRevisions: ['1'], name: 'app.bin', image }] }));
  const core = new Core({ dataDir, host: 'cli', logToFile: false, portLister: async () => [], deviceSources: {} });
  cores.push(core);
  const imported = await core.invoke('releases:import-path', { path: src });
  if (!imported.ok) throw new Error(imported.error.message);
  return { core, dataDir, id: imported.value.id };
}

const request = (bundleId: string, link: JobStartRequest['targets'][number]['link'] = { kind: 'serial', path: join(tmp, 'no-such-port') }): JobStartRequest => ({
  kind: 'firmware',
  bundleId,
  targets: [{ link }],
  policy: { ledConfirm: false, retries: 0, afterRejoin: 'confirm' },
});

describe('job start re-verifies the bundle in the core', () => {
  it('refuses a bundle whose image changed on disk since import, and creates no job', async () => {
    const { core, dataDir, id } = await coreWithBundle('tampered');
    const folder = join(dataDir, 'bundles', id, 'images');
    const file = join(folder, readdirSync(folder)[0]!);
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1]! ^= 0x01;
    writeFileSync(file, bytes);

    const r = await core.invoke('job:start', request(id));
    expect(r).toMatchObject({ ok: false, error: { kind: 'bundle-not-verified', userFault: true } });
    expect(!r.ok && r.error.message).toMatch(new RegExp(`release ${id} no longer verifies .*not started`));
    expect(await core.invoke('job:list', {})).toEqual({ ok: true, value: [] });
    // The list shows it as failed too, from the same check.
    const listed = await core.invoke('releases:list', {});
    expect(listed.ok && listed.value.find((b) => b.id === id)?.verification.state).toBe('failed');
  });

  it('refuses a bundle whose release key is no longer trusted', async () => {
    const { core, dataDir, id } = await coreWithBundle('untrusted');
    unlinkSync(join(dataDir, 'keys', 'release', 'test-release.pub.pem'));
    const r = await core.invoke('job:start', request(id));
    expect(r).toMatchObject({ ok: false, error: { kind: 'bundle-not-verified', details: { reason: 'unknown-release-key' } } });
    expect(await core.invoke('job:list', {})).toEqual({ ok: true, value: [] });
  });

  it('starts a job from a bundle that still verifies (the check does not refuse good releases)', async () => {
    const { core, id } = await coreWithBundle('good');
    const r = await core.invoke('job:start', request(id));
    expect(r).toMatchObject({ ok: true, value: { release: expect.stringContaining(id) } });
    await core.services.jobs.close();
  });

  it('refuses the demo release for a device that is not on the demo site', async () => {
    const core = new Core({ dataDir: join(tmp, 'demo'), host: 'cli', logToFile: false, portLister: async () => [], deviceSources: {} });
    cores.push(core);
    expect((await core.invoke('releases:import-demo', {})).ok).toBe(true);
    const r = await core.invoke('job:start', request(DEMO_BUNDLE.id));
    expect(r).toMatchObject({ ok: false, error: { kind: 'demo-release-real-device' } });
    expect(!r.ok && r.error.message).toMatch(/demo key, which protects nothing/);
    expect(await core.invoke('job:list', {})).toEqual({ ok: true, value: [] });
  });
});
