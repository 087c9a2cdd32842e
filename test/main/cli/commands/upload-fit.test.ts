import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { CliContext } from '../../../../main/cli/command';
import { makeDeviceCommands } from '../../../../main/cli/commands/device';
import { buildImage } from '../../../../main/image/build';
import { systemClock } from '../../../../main/links/clock';
import { SimDevice } from '../../../../main/sim/device';
import { createSimLink } from '../../../../main/sim/sim-link';

// The upload command in-process over the simulator: the built command's refusal text is lost to the
// separately filed crash at exit of `upload`, so the refusals are read here (the built CLI is
// exercised by test/main/cli/image-fit.test.ts and serial-recovery-install.test.ts).
const FAST = { processingMs: 0, eraseMsPerSector: 0.1, writeBytesPerMs: 50_000, resetDelayMs: 5, bootMs: 20, swapMsPerSector: 0.1 };
const dir = mkdtempSync(join(tmpdir(), 'siteflash-upload-fit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
mkdirSync(join(dir, 'keys', 'image'), { recursive: true });
writeFileSync(join(dir, 'keys', 'image', 'fit.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
const body = new Uint8Array(6000).fill(3);
const file = (name: string, bytes: Uint8Array) => (writeFileSync(join(dir, name), bytes), join(dir, name));
const SHA512 = file('sha512.bin', buildImage({ body, version: '2.0.0+1', signingKey: privateKey, board: 'sf-dev-1', hashAlg: 'sha512' }));
const OTHER = file('other.bin', buildImage({ body, version: '2.0.0+2', signingKey: privateKey, board: 'other-board' }));

let device: SimDevice | undefined;
afterEach(() => device?.dispose());

function run(personality: 'zephyr' | undefined) {
  device = new SimDevice({ board: 'sf-dev-1', id: '00124b0001020399', version: '1.0.0+0', clock: systemClock, timing: FAST, ...(personality ? { personality } : {}) });
  const sim = device;
  const upload = makeDeviceCommands({
    openLink: () => createSimLink(sim, { clock: systemClock, framing: 'serial', baud: 0 }),
  }).find((c) => c.name === 'upload')!;
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = { out: (t) => out.push(t), err: (t) => err.push(t), json: false, isTTY: false, dataDir: dir, signal: new AbortController().signal };
  return { upload, ctx, out, err, sim };
}

const slotVersions = (sim: SimDevice) => ([0, 1] as const).map((s) => sim.flash.image(s)?.version.major ?? null);

describe('upload refuses before any image byte what the device would not list', () => {
  it('a SHA-512 hash TLV to Zephyr 3.5 (learned from OS info): refused, named, slot 1 untouched', async () => {
    const { upload, ctx, sim } = run('zephyr');
    await expect(upload.run([SHA512, '--port', '/dev/ttySIM'], ctx)).rejects.toMatchObject({ kind: 'refused', message: expect.stringContaining('SHA-512 hash TLV; this device (Zephyr 3.5) lists only SHA-256') });
    expect(slotVersions(sim)).toEqual([1, null]);
  });

  it('an image tagged for another board, in plain upload too: refused with both boards named, slot 1 untouched', async () => {
    const { upload, ctx, sim } = run(undefined);
    await expect(upload.run([OTHER, '--port', '/dev/ttySIM'], ctx)).rejects.toMatchObject({ kind: 'refused', message: expect.stringContaining('tagged for board other-board; this device is a sf-dev-1') });
    expect(slotVersions(sim)).toEqual([1, null]);
  });
});
