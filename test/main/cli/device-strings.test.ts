import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { terminalSafe } from '../../../main/cli/terminal-text';
import { startFleet, type Fleet } from '../../../main/sim/fleet';

const root = resolve(import.meta.dirname, '..', '..', '..');
const BAUD = 1_000_000;
/** A board name with a window-title OSC, a colour CSI, an 8-bit CSI (clear screen), a bell and a CR. */
const HOSTILE_BOARD = 'sf\x1b]0;pwned\x07-\x1b[31mdev\x9b2J\x07\r1';
const HOSTILE_ECHO = 'ok\x1b[2J\x1b[Hfake VALID\x1bc';

function siteflash(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(process.execPath, [join(root, 'main', 'cli', 'bin.js'), ...args], { timeout: 120_000, killSignal: 'SIGKILL' }, (_e, stdout, stderr) => done({ code: child.exitCode, stdout, stderr }));
  });
}

describe('terminalSafe', () => {
  it.each([
    ['v1.2\x1b[31mred\x1b[0m', 'v1.2red'],
    ['\x1b]0;pwned\x07title', 'title'],
    ['\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\', 'link'],
    ['a\x9b2Jb', 'ab'],
    ['x\x9d0;t\x9cy', 'xy'],
    ['tab\tnl\nok', 'tab\tnl\nok'],
    ['cr\rhere\r\n', 'cr\nhere\n'],
    ['bell\x07\x00nul\x7fdel\x85', 'bellnuldel'],
    ['esc at end\x1b', 'esc at end'],
    ['\x1bcreset', 'reset'],
    ['ünïcödé ✓ 1.2.3+4', 'ünïcödé ✓ 1.2.3+4'],
  ])('%j → %j', (input, output) => {
    expect(terminalSafe(input)).toBe(output);
  });
});

describe('the built CLI prints device strings without control sequences', () => {
  let fleet: Fleet;
  let dir: string;
  beforeAll(async () => {
    expect(existsSync(join(root, 'out', 'main', 'cli.js')), 'run `npm run build` before the tests').toBe(true);
    dir = await mkdtemp(join(tmpdir(), 'siteflash-strings-'));
    fleet = await startFleet({ count: 1, board: HOSTILE_BOARD, version: '1.0.0+0', baud: BAUD, dir });
  }, 60_000);
  afterAll(async () => {
    await fleet?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('info, image list and echo: no ESC, C1 or other control byte on stdout; --json keeps the string', async () => {
    const port = ['--port', fleet.members[0]!.clientPath, '--baud', String(BAUD)];
    const runs = [await siteflash(['info', ...port]), await siteflash(['image', 'list', ...port]), await siteflash(['echo', HOSTILE_ECHO, ...port])];
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(0);
      // eslint-disable-next-line no-control-regex
      expect(run.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    }
    // The device really sent the sequences: the human text shows what is left of them.
    expect(runs[0]!.stdout).toContain('sf-dev');
    expect(runs[2]!.stdout.trim()).toBe('okfake VALID');
    const json = await siteflash(['echo', HOSTILE_ECHO, ...port, '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ echo: HOSTILE_ECHO });
  }, 300_000);
});
