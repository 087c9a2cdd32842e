import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { simCommand } from '../../../main/cli/commands/sim';
import { EXIT, type CliContext } from '../../../main/cli/command';
import { encodePacket, decodePacket } from '../../../main/smp/packet';
import { encodeSerialFrame, SerialFrameDecoder } from '../../../main/smp/serial-framing';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

function context(signal: AbortSignal) {
  const lines: string[] = [];
  const ctx: CliContext = { out: (t) => lines.push(t), err: (t) => lines.push(`ERR ${t}`), json: false, isTTY: false, dataDir: '/nonexistent', signal };
  return { ctx, lines };
}

async function waitFor<T>(probe: () => T | undefined, ms: number): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('siteflash sim', () => {
  it('runs devices on socat ptys that answer an echo through serialport, and stops on Ctrl-C', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sf-sim-test-'));
    dirs.push(dir);
    const abort = new AbortController();
    const { ctx, lines } = context(abort.signal);
    const done = simCommand.run(['--count', '2', '--board', 'sf-dev-9', '--baud', '230400', '--dir', dir], ctx);
    await waitFor(() => (lines.some((l) => l.startsWith('Simulated devices running')) ? true : undefined), 10_000);
    expect(lines.filter((l) => l.startsWith(join(dir, 'sim')))).toHaveLength(2);

    const port = new SerialPort({ path: join(dir, 'sim1'), baudRate: 230400, autoOpen: false });
    await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
    const decoder = new SerialFrameDecoder();
    const packets: Uint8Array[] = [];
    port.on('data', (chunk: Buffer) => packets.push(...decoder.push(new Uint8Array(chunk), Date.now()).packets));
    for (const line of encodeSerialFrame(encodePacket({ op: 2, group: 0, id: 0, seq: 42, body: { d: 'over a pty' } }))) port.write(Buffer.from(line));
    const answer = await waitFor(() => packets[0], 5000);
    const identity = decodePacket(answer);
    expect(identity).toMatchObject({ ok: true, header: { op: 3, seq: 42 }, body: { r: 'over a pty' } });
    await new Promise<void>((res) => port.close(() => res()));

    abort.abort();
    expect(await done).toBe(EXIT.ok);
  });

  it('refuses bad options with a usage error', async () => {
    const { ctx } = context(new AbortController().signal);
    await expect(simCommand.run(['--count', '0'], ctx)).rejects.toThrow('--count');
    await expect(simCommand.run(['--version', 'abc'], ctx)).rejects.toThrow('--version');
  });
});
