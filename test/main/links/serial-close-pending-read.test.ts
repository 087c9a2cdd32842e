import { afterEach, describe, expect, it } from 'vitest';
import type { LinkCloseReason } from '../../../main/links/link';
import { SerialLink } from '../../../main/links/serial-link';
import { openPtyPair, type PtyPair } from './pty';

/**
 * Closing a serial link while the binding has a read pending must not touch bindings-cpp's poller
 * after the port closed (that crashed the process with SIGSEGV after nearly every CLI upload). A
 * crash here kills the test worker, so the test fails rather than passes quietly.
 */
describe('SerialLink closed with a read pending (real pseudo-terminals)', () => {
  let pty: PtyPair | undefined;
  afterEach(async () => {
    await pty?.kill();
    pty = undefined;
  });

  it('closes 1,000 times with a read pending, in one process, and reports each as closed', async () => {
    pty = await openPtyPair();
    const peer = new SerialLink({ path: pty.paths[1], baudRate: 1_000_000 });
    await peer.open();
    const link = new SerialLink({ path: pty.paths[0], baudRate: 1_000_000 });
    const reasons: LinkCloseReason[] = [];
    link.onClose((r) => reasons.push(r));
    for (let round = 0; round < 1000; round++) {
      await link.open();
      if (round % 2 === 0) {
        // As the CLI does after the last answer: the stream has just started its next read (in
        // Node's thread pool, about to see EAGAIN) when the port is closed from the data handler.
        const closed = new Promise<void>((resolve, reject) => {
          const off = link.onData(() => {
            off();
            link.close().then(resolve, reject);
          });
        });
        await peer.write(Uint8Array.of(round & 0xff));
        await closed;
      } else {
        // Nothing to read: the read waits on the poller when the port closes.
        await new Promise((resolve) => setImmediate(resolve));
        await link.close();
      }
      expect(link.isOpen).toBe(false);
    }
    expect(reasons).toHaveLength(1000);
    expect(reasons.every((r) => r.kind === 'closed')).toBe(true);
    // The link still works afterwards: bytes arrive on a fresh open.
    await link.open();
    const got = new Promise<number>((resolve) => link.onData((d) => resolve(d[0] ?? -1)));
    await peer.write(Uint8Array.of(0x5a));
    expect(await got).toBe(0x5a);
    await link.close();
    await peer.close();
  }, 120_000);
});
