/**
 * Demo keys: none ships; each data folder makes its own on first demo use (0600); they make the
 * demo release VALID on the demo site, with every verdict saying DEMO KEY; and nothing they sign
 * is VALID anywhere else (an image check, a bundle import, the CLI's verify).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli';
import { Core } from '../../../main/core';
import { writeDemoBundle } from '../../../main/demo/demo-bundle';
import { DEMO_BUNDLE } from '../../../main/demo/demo-catalog';
import { DEMO_KEYS_DIR, demoKeysFor } from '../../../main/demo/demo-keys';
import { buildImage, seededBody } from '../../../main/image/build';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'siteflash-demotrust-'));
const cores: Core[] = [];
afterAll(async () => {
  for (const c of cores) await c.close();
  rmSync(tmp, { recursive: true, force: true });
});

function core(name: string): Core {
  const c = new Core({ dataDir: join(tmp, name), host: 'cli', logToFile: false, portLister: async () => [], deviceSources: {} });
  cores.push(c);
  return c;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('demo keys', () => {
  it('no private key is shipped: none under resources/ (packaged as extraResources) nor in the built app', () => {
    const shipped = [...filesUnder(join(ROOT, 'resources')), ...filesUnder(join(ROOT, 'out')).filter((f) => !f.endsWith('.map'))];
    const withKey = shipped.filter((f) => /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/.test(readFileSync(f, 'latin1')));
    expect(withKey).toEqual([]);
    expect(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')).not.toMatch(/\.key\.pem|resources\/demo/);
  });

  it('are made once per data folder, private to the account, and differ between data folders', async () => {
    const a = join(tmp, 'keys-a');
    const first = await demoKeysFor(a);
    const again = await demoKeysFor(a);
    const other = await demoKeysFor(join(tmp, 'keys-b'));
    expect(again.trusted.map((k) => k.fingerprint)).toEqual(first.trusted.map((k) => k.fingerprint));
    expect(other.trusted[1]?.fingerprint).not.toBe(first.trusted[1]?.fingerprint);
    for (const f of readdirSync(join(a, DEMO_KEYS_DIR))) expect({ f, mode: statSync(join(a, DEMO_KEYS_DIR, f)).mode & 0o777 }).toEqual({ f, mode: 0o600 });
    expect(statSync(join(a, DEMO_KEYS_DIR)).mode & 0o777).toBe(0o700);
  });

  it('make the demo release VALID on the demo site, and its verdict says DEMO KEY', async () => {
    const c = core('site');
    const r = await c.invoke('releases:import-demo', {});
    expect(r).toMatchObject({ ok: true, value: { id: DEMO_BUNDLE.id, demo: true, verification: { state: 'verified' } } });
    const again = await c.invoke('releases:verify', { id: DEMO_BUNDLE.id });
    expect(again.ok && again.value.verification).toMatchObject({ state: 'verified', releaseKey: expect.stringContaining('DEMO KEY, protects nothing') });
  });

  it('sign nothing that is VALID outside the demo site: an image check, a bundle import, the CLI verify', async () => {
    const c = core('outside');
    const dataDir = join(tmp, 'outside');
    const demo = await demoKeysFor(dataDir);

    const image = buildImage({ body: seededBody('demo-signed', 3000), version: '9.9.9', signingKey: demo.image, board: 'sf-sensor-t' });
    const checked = await c.invoke('image:check', { fileName: 'evil.bin', dataBase64: Buffer.from(image).toString('base64') });
    expect(checked).toMatchObject({ ok: true, value: { valid: false } });

    // The demo release itself, made with this very data folder's keys, but brought in as a file.
    const folder = join(tmp, 'demo-as-file');
    await writeDemoBundle(folder, demo);
    const imported = await c.invoke('releases:import-path', { path: folder });
    expect(imported).toMatchObject({ ok: false, error: { kind: 'bundle-refused' } });
    expect(await c.invoke('releases:list', {})).toEqual({ ok: true, value: [] });

    const file = join(tmp, 'evil.bin');
    writeFileSync(file, image);
    const out: string[] = [];
    const code = await runCli(['verify', file], { out: (t) => out.push(t), err: (t) => out.push(t), isTTY: false, dataDir, signal: new AbortController().signal });
    expect(code).toBe(1);
    expect(out.join('\n')).not.toMatch(/^VALID/m);
  });
});
