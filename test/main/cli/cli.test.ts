import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli';
import type { CliContext } from '../../../main/cli/command';

const root = resolve(import.meta.dirname, '..', '..', '..');

function capture(): { ctx: Omit<CliContext, 'json'>; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, ctx: { out: (t) => out.push(t), err: (t) => err.push(t), isTTY: false, dataDir: '/tmp', signal: new AbortController().signal } };
}

describe('siteflash CLI', () => {
  it('prints help with the exit codes', async () => {
    const c = capture();
    expect(await runCli(['--help'], c.ctx)).toBe(0);
    expect(c.out.join('\n')).toMatch(/exit codes:[\s\S]*2 {4}usage error/);
  });

  it('exits 2 on an unknown command or option', async () => {
    const c = capture();
    expect(await runCli(['frobnicate'], c.ctx)).toBe(2);
    expect(await runCli(['ports', '--bogus'], c.ctx)).toBe(2);
    expect(c.err.join('\n')).toContain("Unknown option '--bogus'");
  });

  it('ports --json prints one parseable document (built binary)', async () => {
    const cli = join(root, 'out', 'main', 'cli.js');
    expect(existsSync(cli), 'run `npm run build` before the tests').toBe(true);
    const { stdout } = await promisify(execFile)(process.execPath, [join(root, 'main', 'cli', 'bin.js'), 'ports', '--json']);
    const parsed = JSON.parse(stdout) as { ports: unknown[] };
    expect(Array.isArray(parsed.ports)).toBe(true);
  });
});

describe('siteflash keys', () => {
  it('imports a public key, refuses a private one, and lists both with fingerprints', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dataDir = mkdtempSync(join(tmpdir(), 'siteflash-keys-'));
    const c = capture();
    const ctx = { ...c.ctx, dataDir };
    const vectors = resolve(root, '..', 'shared', 'vectors', 'keys');
    expect(await runCli(['keys', 'import', join(vectors, 'ecdsa-p256.pub.pem'), '--name', 'project-p256', '--role', 'image'], ctx)).toBe(0);
    const privatePem = join(dataDir, 'oops.key.pem');
    writeFileSync(privatePem, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    expect(await runCli(['keys', 'import', privatePem, '--name', 'oops', '--role', 'image'], ctx)).toBe(1);
    expect(await runCli(['keys', 'import', 'x.pem', '--name', 'n', '--role', 'firmware'], ctx)).toBe(2);
    expect(await runCli(['keys', 'list', '--json'], ctx)).toBe(0);
    const listed = JSON.parse(c.out.at(-1)!) as { keys: { name: string; fingerprint: string; source: string }[] };
    expect(listed.keys.find((k) => k.name === 'project-p256')).toMatchObject({
      source: 'imported',
      fingerprint: 'eaf5ce156efed346998086bd499fd05c15e6861bbee292efbe2806455f0d850a',
    });
    expect(listed.keys.some((k) => k.name === 'oops')).toBe(false);
  });
});
