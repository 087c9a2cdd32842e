import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
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
