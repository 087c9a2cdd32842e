import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import type { LinkCloseReason } from '../../../main/links/link';
import { SerialLink, writeStallMs } from '../../../main/links/serial-link';

/**
 * One pseudo-terminal whose master a python process holds (no socat between: bytes from the far
 * end reach the link even while the link's own output is backed up). It writes one byte on
 * `byte`, and reads N bytes on `drain N`, answering `drained N`.
 */
const FAR_END = `
import os, pty, sys, tty
m, s = pty.openpty()
tty.setraw(s)
print(os.ttyname(s), flush=True)
for line in sys.stdin:
    cmd = line.split()
    if cmd[0] == 'byte':
        os.write(m, b'\\x5a')
    elif cmd[0] == 'drain':
        want, got = int(cmd[1]), 0
        while got < want:
            got += len(os.read(m, 65536))
        print('drained', got, flush=True)
`;

/**
 * A write larger than the tty's buffers waits for room (EAGAIN) while the link's read waits for
 * data. bindings-cpp's poller hands libuv only the event asked for last, so one of the two waits
 * was forgotten: the byte from the device was not read while the write waited, and a write that
 * began waiting after a read re-armed was never told of room again. With a device that answers
 * only once it holds the whole request, an upload stood still forever (a gateway's own update
 * stuck in "transferring", nothing on the wire).
 */
describe('SerialLink: a write waiting for room while a read waits for data (real pseudo-terminal)', () => {
  let far: ChildProcessWithoutNullStreams | undefined;
  afterEach(() => {
    far?.kill();
    far = undefined;
  });

  it('reads what arrives while the write waits, and finishes the write once the far end reads', async () => {
    const child = spawn('python3', ['-c', FAR_END]);
    far = child;
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const path = String((await lines.next()).value);
    const link = new SerialLink({ path, baudRate: 1_000_000 });
    await link.open();
    const got: number[] = [];
    link.onData((d) => got.push(...d));
    // Nobody reads the master yet: the write fills the tty's buffer and waits for room.
    const size = 256 * 1024;
    let written = false;
    const writing = link.write(new Uint8Array(size).fill(0x41)).then(() => (written = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(written, 'the write must be waiting for room for this test to mean anything').toBe(false);
    // One byte from the far end: read while the write waits; the link's next read then waits for data.
    child.stdin.write('byte\n');
    for (let i = 0; i < 100 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(got, 'the byte must be read while the write waits for room').toEqual([0x5a]);
    // Now the far end reads everything and says nothing more.
    child.stdin.write(`drain ${size}\n`);
    const drained = await Promise.race([lines.next(), new Promise<{ value: string }>((r) => setTimeout(() => r({ value: 'timed out' }), 20_000))]);
    expect(drained.value, 'the whole write must reach the far end').toBe(`drained ${size}`);
    await writing;
    expect(written).toBe(true);
    await link.close();
  }, 60_000);

  it('a write the far end never takes fails after the stall bound, and the link closes with that reason; the port opens again', async () => {
    const child = spawn('python3', ['-c', FAR_END]);
    far = child;
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const path = String((await lines.next()).value);
    // A short bound for the test; the default comes from the baud rate (below).
    const link = new SerialLink({ path, baudRate: 1_000_000, stallMs: () => 1500 });
    await link.open();
    const closes: LinkCloseReason[] = [];
    link.onClose((r) => closes.push(r));
    const started = Date.now();
    // Nobody ever reads the master: the OS takes the first 4 KiB or so, then never more.
    const err = await link.write(new Uint8Array(256 * 1024).fill(0x41)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err, 'the write must fail, not wait forever').toMatchObject({ name: 'LinkError', kind: 'io' });
    expect((err as Error).message).toBe(`${path} took no data for 1.5 s: the device is not reading its port.`);
    expect(Date.now() - started, 'not before the bound').toBeGreaterThanOrEqual(1400);
    for (let i = 0; i < 100 && closes.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(closes).toEqual([{ kind: 'error', message: `${path} took no data for 1.5 s: the device is not reading its port.` }]);
    expect(link.isOpen).toBe(false);
    // The upload's recovery reopens the port: that must work on the same path.
    child.stdin.write('drain 1\n');
    await lines.next();
    await link.open();
    expect(link.isOpen).toBe(true);
    await link.close();
  }, 60_000);

  it('the default stall bound: the write and 8 KiB of earlier writes on the wire at 10 bits a byte, plus a request\'s 5 s', () => {
    expect(writeStallMs(1400, 115_200)).toBe(5000 + Math.ceil((9592 * 10 * 1000) / 115_200));
    expect(writeStallMs(1400, 9600)).toBe(14_992);
    expect(writeStallMs(0, 1_000_000)).toBe(5082);
  });
});
