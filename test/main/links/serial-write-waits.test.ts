import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { SerialLink } from '../../../main/links/serial-link';

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
});
