import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

describe('without a reachable keychain', () => {
  it('refuses with keychain-unavailable, says what to do, and writes the secret nowhere', async () => {
    const home = mkdtempSync(join(tmpdir(), 'siteflash-nokeychain-'));
    const canary = `canary-${process.pid}-${Date.now()}-no-keychain`;
    try {
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: home,
        XDG_CONFIG_HOME: join(home, 'config'),
        XDG_DATA_HOME: join(home, 'data'),
        XDG_RUNTIME_DIR: join(home, 'run'),
        SITEFLASH_DATA_DIR: join(home, 'siteflash'),
        DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(home, 'no-such-bus')}`,
      };
      const { stdout } = await run(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'keychain-child.ts'), canary], {
        env,
        cwd: join(import.meta.dirname, '../../..'),
        timeout: 15_000,
      });
      const out = JSON.parse(stdout) as Record<string, { ok: boolean; kind?: string; message?: string }>;
      for (const op of ['set', 'get', 'has', 'list']) {
        expect(out[op]).toMatchObject({ ok: false, kind: 'keychain-unavailable' });
        expect(out[op]?.message).toMatch(/Secret Service keyring .* then try again/);
        expect(out[op]?.message).not.toContain(canary);
      }
      for (const file of filesUnder(home)) expect(readFileSync(file).includes(canary), file).toBe(false);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
