import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..', '..');
const bin = join(root, 'main', 'cli', 'bin.js');

/** Pids of the running processes whose parent is `ppid` and whose command is `name` (from /proc). */
function childrenNamed(ppid: number, name: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (comm === name && Number(fields[1]) === ppid) out.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

/** True while `pid` runs (a zombie counts as ended). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

let dir: string;
beforeAll(async () => {
  expect(existsSync(join(root, 'out', 'main', 'cli.js')), 'run `npm run build` before the tests').toBe(true);
  dir = await mkdtemp(join(tmpdir(), 'siteflash-sim-signals-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('siteflash sim (built) and signals', () => {
  it('names a missing --dir and exits 3 instead of waiting on socat', async () => {
    const missing = join(dir, 'no-such-folder');
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((done) => {
      const child = execFile(process.execPath, [bin, 'sim', '--dir', missing], { timeout: 60_000 }, (_e, _o, stderr) => done({ code: child.exitCode, stderr }));
    });
    expect(code).toBe(3);
    expect(stderr).toContain(missing);
    expect(stderr).toContain('does not exist');
    expect(stderr).not.toContain('socat did not set up');
  }, 90_000);

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`stops its socat children and exits 0 on ${signal}`, async () => {
      const child = spawn(process.execPath, [bin, 'sim', '--count', '2', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, sig) => done({ code, signal: sig })));
      await new Promise<void>((ready, fail) => {
        let out = '';
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (t: string) => {
          out += t;
          if (out.includes('press Ctrl-C to stop')) ready();
        });
        void exited.then(() => fail(new Error(`sim ended before it was ready: ${out}`)));
      });
      const socats = childrenNamed(child.pid as number, 'socat');
      expect(socats).toHaveLength(2);
      child.kill(signal);
      expect(await exited).toEqual({ code: 0, signal: null });
      expect(socats.filter(running)).toEqual([]);
      expect(readdirSync(dir)).toEqual([]);
    }, 90_000);
  }
});
