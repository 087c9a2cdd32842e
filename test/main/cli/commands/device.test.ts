import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliContext, Command } from '../../../../main/cli/command';
import { makeDeviceCommands } from '../../../../main/cli/commands/device';
import { systemClock } from '../../../../main/links/clock';
import type { Link } from '../../../../main/links/link';
import { SimDevice } from '../../../../main/sim/device';
import { createSimLink } from '../../../../main/sim/sim-link';

const VECTORS = '/work/shared/vectors';
const FAST = { processingMs: 0, eraseMsPerSector: 0.1, writeBytesPerMs: 50_000, resetDelayMs: 5, bootMs: 20, swapMsPerSector: 0.1 };

let dataDir: string;
let device: SimDevice;
let opened: string[];
let commands: Command[];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'siteflash-cli-'));
  await mkdir(join(dataDir, 'keys', 'image'), { recursive: true });
  await copyFile(join(VECTORS, 'keys', 'ed25519.pub.pem'), join(dataDir, 'keys', 'image', 'vectors-ed25519.pub.pem'));
  device = new SimDevice({ board: 'nrf52840dk', id: '00124b0001020304', version: '1.0.0+0', clock: systemClock, timing: FAST });
  opened = [];
  commands = makeDeviceCommands({
    openLink: (d): Link => {
      opened.push(d.kind === 'serial' ? d.path : d.kind);
      return createSimLink(device, { clock: systemClock, framing: 'serial', baud: 0 });
    },
  });
});
afterEach(async () => {
  device.dispose();
  await rm(dataDir, { recursive: true, force: true });
});

function context(json = false, isTTY = false): CliContext & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t), json, isTTY, dataDir, signal: new AbortController().signal };
}

const command = (name: string) => commands.find((c) => c.name === name) as Command;

describe('device CLI commands', () => {
  it('echo prints the echo and exits 0', async () => {
    const ctx = context();
    expect(await command('echo').run(['hello', 'there', '--port', '/dev/ttySIM'], ctx)).toBe(0);
    expect(ctx.stdout).toEqual(['hello there']);
    expect(opened).toEqual(['/dev/ttySIM']);
  });

  it('image list --json lists the running slot with its hash in hex', async () => {
    const ctx = context(true);
    expect(await command('image list').run(['--port', '/dev/ttySIM'], ctx)).toBe(0);
    const { images } = JSON.parse(ctx.stdout.join('')) as { images: { slot: number; version: string; hash: string; active: boolean }[] };
    expect(images).toHaveLength(1);
    expect(images[0]).toMatchObject({ slot: 0, version: '1.0.0+0', active: true });
    expect(images[0]?.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('info shows buffers and the field identity', async () => {
    const ctx = context();
    expect(await command('info').run(['--port', '/dev/ttySIM'], ctx)).toBe(0);
    const text = ctx.stdout.join('\n');
    expect(text).toContain('4 × 384 bytes');
    expect(text).toContain('board nrf52840dk');
  });

  it('upload --install verifies a signed image, installs it and confirms it', async () => {
    const ctx = context(true);
    const code = await command('upload').run([join(VECTORS, 'images', 's01_ed25519_basic.bin'), '--port', '/dev/ttySIM', '--install'], ctx);
    expect(ctx.stderr).toEqual([]);
    expect(code).toBe(0);
    const result = JSON.parse(ctx.stdout.join('')) as { outcome: string; version: string };
    expect(result).toMatchObject({ outcome: 'confirmed' });
    expect(device.flash.image(0)?.version).toMatchObject({ major: 1, minor: 2, revision: 3, build: 4 });
  });

  it('upload draws a progress bar with rate and ETA on a terminal', async () => {
    const ctx = context(false, true);
    expect(await command('upload').run([join(VECTORS, 'images', 's01_ed25519_basic.bin'), '--port', '/dev/ttySIM'], ctx)).toBe(0);
    expect(ctx.stderr.length).toBeGreaterThan(1);
    expect(ctx.stderr.at(-1)).toMatch(/\[#{30}\] 100 % +[\d.]+ KiB\/s/);
    // Every redraw after the first moves up a line and clears it.
    expect(ctx.stderr.slice(1).every((l) => l.startsWith('\x1b[1A\x1b[2K'))).toBe(true);
    expect(ctx.stdout.join('')).toContain('Uploaded 1.2.3+4 (5776 bytes)');
  });

  it('upload refuses a tampered image before opening the port', async () => {
    const ctx = context();
    const run = command('upload').run([join(VECTORS, 'images', 't01_body_byte_flipped.bin'), '--port', '/dev/ttySIM'], ctx);
    await expect(run).rejects.toMatchObject({ kind: 'image-hash-mismatch' });
    expect(opened).toEqual([]);
    expect(device.stats.requests).toBe(0);
  });

  it('upload --no-pipeline uploads with a window of 1', async () => {
    const ctx = context(true);
    expect(await command('upload').run([join(VECTORS, 'images', 's01_ed25519_basic.bin'), '--port', '/dev/ttySIM', '--no-pipeline'], ctx)).toBe(0);
    expect(JSON.parse(ctx.stdout.join(''))).toMatchObject({ window: 1, uploaded: { total: 5776, match: true } });
  });

  it('rejects a missing --port and a bad --window as usage errors', async () => {
    await expect(command('echo').run(['hi'], context())).rejects.toMatchObject({ name: 'UsageError' });
    await expect(command('upload').run(['x.bin', '--port', '/dev/ttySIM', '--window', '0'], context())).rejects.toMatchObject({ name: 'UsageError' });
  });
});
