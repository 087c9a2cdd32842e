import { MockBinding, type MockPort } from './mock-binding';
import { afterEach, describe, expect, it } from 'vitest';
import type { LinkCloseReason } from '../../../main/links/link';
import type { SerialBinding } from '../../../main/links/serial-binding';
import { SerialLink } from '../../../main/links/serial-link';
import { openPtyPair, type PtyPair } from './pty';

/** MockBinding, remembering the last port it opened so a test can feed it bytes. */
function mockBinding(): { binding: SerialBinding; last: () => MockPort } {
  let last: MockPort | undefined;
  const binding: SerialBinding = {
    list: () => MockBinding.list(),
    async open(options) {
      last = await MockBinding.open(options);
      return last;
    },
  };
  return { binding, last: () => last as MockPort };
}

function nextData(link: SerialLink, bytes: number): Promise<Uint8Array> {
  return new Promise((resolve) => {
    const got: number[] = [];
    const off = link.onData((d) => {
      got.push(...d);
      if (got.length >= bytes) {
        off();
        resolve(Uint8Array.from(got));
      }
    });
  });
}

describe('SerialLink over serialport MockBinding', () => {
  afterEach(() => MockBinding.reset());

  it('opens, passes data both ways and reports its own close as closed', async () => {
    MockBinding.createPort('/dev/ttyMOCK0', { record: true });
    const { binding, last } = mockBinding();
    const link = new SerialLink({ path: '/dev/ttyMOCK0', baudRate: 115200, binding });
    expect(link.id).toBe('serial:/dev/ttyMOCK0');
    expect(link.framing).toBe('serial');
    await link.open();
    expect(link.isOpen).toBe(true);
    await link.write(Uint8Array.of(1, 2, 3));
    expect([...last().recording]).toEqual([1, 2, 3]);
    const incoming = nextData(link, 2);
    last().emitData(Buffer.from([9, 8]));
    expect([...(await incoming)]).toEqual([9, 8]);
    const reasons: LinkCloseReason[] = [];
    link.onClose((r) => reasons.push(r));
    await link.close();
    expect(link.isOpen).toBe(false);
    expect(reasons).toEqual([{ kind: 'closed' }]);
  });

  it('rejects a write when not open with not-open', async () => {
    const link = new SerialLink({ path: '/dev/ttyMOCK1', baudRate: 115200, binding: mockBinding().binding });
    await expect(link.write(Uint8Array.of(1))).rejects.toMatchObject({ kind: 'not-open' });
  });

  it('rejects opening a port that does not exist with a LinkError', async () => {
    const link = new SerialLink({ path: '/dev/ttyNOPE', baudRate: 115200, binding: mockBinding().binding });
    await expect(link.open()).rejects.toMatchObject({ name: 'LinkError' });
    expect(link.isOpen).toBe(false);
  });
});

describe('SerialLink over real pseudo-terminals', () => {
  let pty: PtyPair | undefined;
  afterEach(async () => {
    await pty?.kill();
    pty = undefined;
  });

  it('carries bytes between the two ttys and refuses a second open as busy', async () => {
    pty = await openPtyPair();
    const a = new SerialLink({ path: pty.paths[0], baudRate: 115200 });
    const b = new SerialLink({ path: pty.paths[1], baudRate: 1_000_000 });
    await a.open();
    await b.open();
    const incoming = nextData(b, 1000);
    await a.write(new Uint8Array(1000).fill(0x55));
    expect((await incoming).every((x) => x === 0x55)).toBe(true);
    await expect(new SerialLink({ path: pty.paths[0], baudRate: 115200 }).open()).rejects.toMatchObject({ kind: 'busy' });
    await a.close();
    await b.close();
  });

  it('reports the tty going away as unplugged, and opens again after its own close', async () => {
    pty = await openPtyPair();
    const a = new SerialLink({ path: pty.paths[0], baudRate: 115200 });
    await a.open();
    const closed = new Promise<LinkCloseReason>((resolve) => a.onClose(resolve));
    await pty.kill();
    const reason = await closed;
    expect(reason.kind).toBe('unplugged');
    expect(a.isOpen).toBe(false);
    await expect(a.open()).rejects.toMatchObject({ kind: 'not-found' });

    pty = await openPtyPair();
    const b = new SerialLink({ path: pty.paths[0], baudRate: 115200 });
    await b.open();
    await b.close();
    await b.open();
    expect(b.isOpen).toBe(true);
    await b.close();
  });
});
