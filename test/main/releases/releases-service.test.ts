import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Core } from '../../../main/core';
import { DEMO_BOARDS, DEMO_BUNDLE } from '../../../main/demo/demo-catalog';

const core = () => new Core({ dataDir: mkdtempSync(join(tmpdir(), 'siteflash-rel-')), host: 'cli', logToFile: false, portLister: async () => [] });

describe('releases through the core facade', () => {
  it('imports the demo release through the normal verification and lists it as a demo', async () => {
    const c = core();
    const imported = await c.invoke('releases:import-demo', {});
    expect(imported).toMatchObject({ ok: true, value: { id: DEMO_BUNDLE.id, demo: true, verification: { state: 'verified', releaseKey: 'siteflash-demo-release (DEMO KEY, protects nothing)' } } });
    const listed = await c.invoke('releases:list', {});
    expect(listed.ok && listed.value.map((b) => b.components.map((x) => `${x.board}@${x.version}`))).toEqual([
      DEMO_BOARDS.map((b) => `${b.board}@${b.releaseVersion}`),
    ]);
    // Importing the same release again is not an error.
    expect((await c.invoke('releases:import-demo', {})).ok).toBe(true);
  });

  it('refuses an archive that is not a bundle with a typed error, and bad base64 as a bad request', async () => {
    const c = core();
    const notBundle = await c.invoke('releases:import-file', { fileName: 'x.tar', dataBase64: Buffer.from('hello').toString('base64') });
    expect(notBundle.ok).toBe(false);
    expect(!notBundle.ok && notBundle.error.userFault).toBe(true);
    const bad = await c.invoke('releases:import-file', { fileName: 'x.tar', dataBase64: '***' });
    expect(bad).toMatchObject({ ok: false, error: { kind: 'bad-request' } });
  });

  it('ships no key at all: the demo keys are not trusted keys', async () => {
    const c = core();
    expect((await c.invoke('releases:import-demo', {})).ok).toBe(true);
    expect(await c.invoke('keys:list', {})).toEqual({ ok: true, value: [] });
  });
});
