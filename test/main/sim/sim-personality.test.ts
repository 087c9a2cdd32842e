import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { simCommand } from '../../../main/cli/commands/sim';
import { EXIT, type CliContext } from '../../../main/cli/command';
import { buildSimImage } from '../../../main/sim/image-builder';
import { encodePacket } from '../../../main/smp/packet';
import { encodeSerialFrame, SerialFrameDecoder } from '../../../main/smp/serial-framing';
import { toHexText } from './transcript';
import { harness } from './harness';

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

describe('siteflash sim --personality', () => {
  it('mcuboot-recovery: answers mcumgr params with the recorded rc 8 in an indefinite-length map, over a pty', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sf-sim-pers-'));
    dirs.push(dir);
    const abort = new AbortController();
    const { ctx, lines } = context(abort.signal);
    const done = simCommand.run(['--personality', 'mcuboot-recovery', '--dir', dir], ctx);
    await waitFor(() => (lines.some((l) => l.startsWith('Simulated devices running')) ? true : undefined), 10_000);
    const port = new SerialPort({ path: join(dir, 'sim0'), baudRate: 115200, autoOpen: false });
    await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
    const decoder = new SerialFrameDecoder();
    const packets: Uint8Array[] = [];
    port.on('data', (chunk: Buffer) => packets.push(...decoder.push(new Uint8Array(chunk), Date.now()).packets));
    for (const line of encodeSerialFrame(encodePacket({ op: 0, group: 0, id: 6, seq: 5, version: 0 }))) port.write(Buffer.from(line));
    const answer = await waitFor(() => packets[0], 5000);
    // transcripts/mcuboot-serial-recovery.json, default build, step mcumgr_params (seq 5 here).
    expect(toHexText(answer)).toBe('0100000600000506bf62726308ff');
    await new Promise<void>((res) => port.close(() => res()));
    abort.abort();
    expect(await done).toBe(EXIT.ok);
  });

  it('refuses an unknown personality with a usage error', async () => {
    const { ctx } = context(new AbortController().signal);
    await expect(simCommand.run(['--personality', 'nrf'], ctx)).rejects.toThrow('--personality must be mcuboot-recovery or zephyr');
  });
});

describe('personality limits taken from the recordings', () => {
  it('mcuboot-recovery drops a line over 128 bytes (131 here) and answers 127-byte lines', () => {
    const h = harness({ personality: 'mcuboot-recovery' }, { framing: 'serial', baud: 0 });
    const fine = encodeSerialFrame(encodePacket({ op: 2, group: 0, id: 0, seq: 1, body: { d: 'x'.repeat(80) } }), 128);
    expect(fine[0]?.length).toBe(127);
    for (const l of fine) h.sendBytes(l);
    expect(h.settle()?.body).toEqual({ r: 'x'.repeat(80) });
    const long = encodeSerialFrame(encodePacket({ op: 2, group: 0, id: 0, seq: 2, body: { d: 'x'.repeat(80) } }), 132);
    expect(long[0]?.length).toBe(131);
    for (const l of long) h.sendBytes(l);
    expect(h.settle()).toBeUndefined();
    expect(h.link.dropped.map((d) => d.reason)).toContain('line-too-long');
  });

  it('zephyr holds two UART lines while busy: a third line is dropped, and its request goes unanswered', () => {
    const h = harness({ personality: 'zephyr', timing: { processingMs: 50 } }, { framing: 'serial', baud: 0 });
    const one = (seq: number) => encodeSerialFrame(encodePacket({ op: 2, group: 0, id: 0, seq, body: { d: `n${seq}` } }));
    for (const l of one(1)) h.sendBytes(l); // taken at once: the device is idle, then busy for 50 ms
    for (const seq of [2, 3, 4]) for (const l of one(seq)) h.sendBytes(l); // one line each: 2 and 3 wait, 4 is lost
    h.clock.runUntilIdle(10_000);
    expect(h.received.packets.length).toBe(3);
    expect(h.link.dropped).toEqual([{ reason: 'no-line-buffer', bytes: one(4)[0]?.length }]);
  });

  it('mcuboot-recovery holds 7 lines while it works on a packet (8 CONFIG_BOOT_LINE_BUFS, one kept by its reader): the 8th is lost', () => {
    const h = harness({ personality: 'mcuboot-recovery', timing: { processingMs: 50 } }, { framing: 'serial', baud: 0 });
    const one = (seq: number) => encodeSerialFrame(encodePacket({ op: 2, group: 0, id: 0, seq, body: { d: `n${seq}` } }), 128);
    for (const l of one(1)) h.sendBytes(l); // taken at once, then busy for 50 ms
    for (let seq = 2; seq <= 9; seq++) for (const l of one(seq)) h.sendBytes(l); // one line each: 2–8 wait, 9 is lost
    h.clock.runUntilIdle(10_000);
    expect(h.received.packets.length).toBe(8);
    expect(h.link.dropped).toEqual([{ reason: 'no-line-buffer', bytes: one(9)[0]?.length }]);
  });

  it('serial lines reach the device one by one at the line rate, not all at the time of the last byte of a write', () => {
    const h = harness({ personality: 'zephyr', timing: { processingMs: 0 } }, { framing: 'serial', baud: 115_200 });
    const a = encodeSerialFrame(encodePacket({ op: 2, group: 0, id: 0, seq: 1, body: { d: 'a' } }));
    const b = encodeSerialFrame(encodePacket({ op: 2, group: 0, id: 0, seq: 2, body: { d: 'x'.repeat(300) } }));
    // One write carrying a one-line request and a five-line one: the first is answered after its own line's time.
    h.sendBytes(Uint8Array.from([...(a[0] as Uint8Array), ...b.flatMap((l) => [...l])]));
    const lineMs = ((a[0] as Uint8Array).length * 10_000) / 115_200;
    h.clock.advance(lineMs + 0.01);
    expect(h.device.stats.requests).toBe(1);
  });

  it('zephyr: a test-pending slot 1 refuses upload and erase (v1 rc 6, v2 err {1, 9}) and stays pending after reset', () => {
    const h = harness({ personality: 'zephyr' });
    const img = buildSimImage({ version: '2.0.0+0', board: 'sf-dev-1', bodySize: 2000 });
    expect(h.body({ op: 2, group: 1, id: 1, version: 0, body: { len: img.length, off: 0, data: img } })).toEqual({ off: img.length });
    const state = h.body({ op: 0, group: 1, id: 0 }).images as { hash: Uint8Array }[];
    h.body({ op: 2, group: 1, id: 0, body: { hash: state[1]?.hash, confirm: false } });
    expect(h.body({ op: 2, group: 1, id: 5, version: 0 })).toEqual({ rc: 6 });
    expect(h.body({ op: 2, group: 1, id: 5, version: 1 })).toEqual({ err: { group: 1, rc: 9 } });
    expect(h.body({ op: 2, group: 1, id: 1, version: 1, body: { len: img.length, off: 0, data: img } })).toEqual({ err: { group: 1, rc: 9 } });
    expect(h.body({ op: 2, group: 0, id: 5 })).toEqual({});
    h.clock.runUntilIdle(60_000);
    const after = h.body({ op: 0, group: 1, id: 0 }).images as Record<string, unknown>[];
    expect(after[1]).toMatchObject({ slot: 1, pending: true });
    expect(after[0]).toMatchObject({ slot: 0, active: true, version: '1.0.0' });
  });
});
