import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { historyCommand } from '../../../main/cli/commands/history';
import { makeUpdateCommand } from '../../../main/cli/commands/update';
import { EXIT, type CliContext } from '../../../main/cli/command';
import { buildImage } from '../../../main/image/build';
import type { Link } from '../../../main/links/link';
import { BOARD, simMember } from './sim-fleet';

const dir = mkdtempSync(join(tmpdir(), 'siteflash-cli-jobs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function context(json = false): CliContext & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t), json, isTTY: false, dataDir: join(dir, 'data'), signal: new AbortController().signal };
}

function signedImage(): string {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  mkdirSync(join(dir, 'data', 'keys', 'image'), { recursive: true });
  writeFileSync(join(dir, 'data', 'keys', 'image', 'cli-test.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
  const path = join(dir, 'app.bin');
  writeFileSync(path, buildImage({ body: new Uint8Array(20_000).fill(7), version: '1.1.0+0', signingKey: privateKey, board: BOARD }));
  return path;
}

describe('siteflash update and history', () => {
  const members = [simMember(0), simMember(1, { board: 'other-board' })];
  const links = new Map<string, Link>(members.map((m) => [`/dev/sim-${m.name}`, m.link]));
  const questions: string[] = [];
  const update = makeUpdateCommand({
    smp: { timeoutMs: 500, resetSettleMs: 20, openLink: (t) => links.get(t.link.kind === 'serial' ? t.link.path : '') as Link },
    ask: async (q) => (questions.push(q), true),
  });

  it('updates the devices on the given ports as one job, asking the LED questions, and exits 4 when the other is refused for its board', async () => {
    const image = signedImage();
    const ctx = context(true);
    const code = await update.run([image, '--port', '/dev/sim-dev0', '--port', '/dev/sim-dev1', '--site', 'Plant 7', '--technician', 'Ada Tech'], ctx);
    expect(code).toBe(EXIT.refused);
    const { jobs } = JSON.parse(ctx.stdout.join('')) as { jobs: { devices: { key: string; state: string; reasonKind: string | null }[] }[] };
    expect(jobs[0]?.devices.map((d) => `${d.key} ${d.state} ${d.reasonKind}`)).toEqual(['serial:/dev/sim-dev0 done null', 'serial:/dev/sim-dev1 failed wrong-board']);
    expect(questions.filter((q) => q.includes('sim-dev0')).map((q) => (q.includes('update-mode') ? 'update-mode' : 'joined'))).toEqual(['update-mode', 'joined']);
    expect(members[0]?.device.flash.image(0)?.version.minor).toBe(1);
    expect(members[1]?.device.flash.image(1), 'nothing sent to the device of another board').toBeUndefined();
  });

  it('prints the history filtered by result, and exports it as CSV', async () => {
    const ctx = context(true);
    expect(await historyCommand.run(['--result', 'failed'], ctx)).toBe(EXIT.ok);
    const { history } = JSON.parse(ctx.stdout.join('')) as { history: { deviceKey: string; site: string; technician: string; reason: string }[] };
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ deviceKey: 'serial:/dev/sim-dev1', site: 'Plant 7', technician: 'Ada Tech' });
    const csv = join(dir, 'history.csv');
    const plain = context();
    expect(await historyCommand.run(['--site', 'Plant 7', '--csv', csv], plain)).toBe(EXIT.ok);
    expect(plain.stdout).toEqual([`Wrote 2 rows to ${csv}.`]);
    const lines = readFileSync(csv, 'utf8').trimEnd().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines.some((l) => l.includes(',done,') && l.includes('update-mode:seen joined:seen'))).toBe(true);
  });

  it('says so when there is nothing to resume, and refuses a run without ports', async () => {
    const ctx = context();
    expect(await update.run(['--resume'], ctx)).toBe(EXIT.ok);
    expect(ctx.stdout).toEqual(['No unfinished job to resume.']);
    await expect(update.run([join(dir, 'app.bin')], context())).rejects.toThrow(/--port/);
    await expect(historyCommand.run(['--result', 'maybe'], context())).rejects.toThrow(/--result must be one of/);
  });
});
