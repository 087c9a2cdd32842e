import { afterEach, describe, expect, it } from 'vitest';
import { imageState } from '../../../main/devices/commands/image';
import { bytesSource } from '../../../main/devices/image-source';
import { SmpSession } from '../../../main/devices/session';
import { runUpdate, type UpdateResult } from '../../../main/devices/update-flow';
import { systemClock } from '../../../main/links/clock';
import { SerialLink } from '../../../main/links/serial-link';
import { SimDevice } from '../../../main/sim/device';
import { buildSimImage } from '../../../main/sim/image-builder';
import { inspectSlotImage } from '../../../main/sim/slot-image';
import { SwapOnPty } from './swap-on-pty';

const FAST = { baud: 1_000_000, processingMs: 0, eraseMsPerSector: 0.2, writeBytesPerMs: 20_000, resetDelayMs: 10, bootMs: 40, swapMsPerSector: 0.2 };
const BOARD = 'nrf52840dk';

let rig: SwapOnPty | undefined;
let session: SmpSession | undefined;
afterEach(async () => {
  session?.dispose();
  await session?.link.close();
  await rig?.stop();
  rig = undefined;
  session = undefined;
});

const device = (id: string) => new SimDevice({ board: BOARD, id, version: '1.0.0+0', clock: systemClock, timing: FAST });

describe('after the reset, over a real pty', () => {
  it('a different device on the same path is "another device answered on this port", and nothing is recorded', async () => {
    const first = device('00124b00000000a1');
    const other = device('00124b00000000b2');
    rig = await SwapOnPty.start(first, other);
    const link = new SerialLink({ path: rig.hostPath, baudRate: 1_000_000 });
    await link.open();
    session = new SmpSession(link, { timeoutMs: 2000 });
    const bytes = buildSimImage({ version: '1.1.0+0', board: BOARD, bodySize: 20_000 });
    const hash = inspectSlotImage(bytes)!.hash;

    let result: UpdateResult | undefined;
    const error = await runUpdate(session, { source: bytesSource(bytes), hash, version: '1.1.0+0' }, { reconnect: { timeoutMs: 20_000 } }).then(
      (r) => ((result = r), undefined),
      (e: unknown) => e,
    );
    expect(result).toBeUndefined();
    expect(error).toMatchObject({ kind: 'wrong-device' });
    expect((error as Error).message).toContain('Another device answered');
    expect((error as Error).message).toContain('00124b00000000a1');
    expect((error as Error).message).toContain('00124b00000000b2');
    // The other device was never touched: no image state write (confirm) reached it, its slot 1 is empty.
    expect((await imageState(session)).map((s) => s.slot)).toEqual([0]);
  }, 60_000);

  it('a device with the same id on the same path is proven the same, and what it shows is reported as is', async () => {
    const only = device('00124b00000000a1');
    const twin = device('00124b00000000a1');
    rig = await SwapOnPty.start(only, twin);
    const link = new SerialLink({ path: rig.hostPath, baudRate: 1_000_000 });
    await link.open();
    session = new SmpSession(link, { timeoutMs: 2000 });
    const bytes = buildSimImage({ version: '1.1.0+0', board: BOARD, bodySize: 20_000 });
    const hash = inspectSlotImage(bytes)!.hash;
    // `twin` holds only the old image, so this run shows the identity check lets a matching id through;
    // what it then reads is the twin's state, which has no new image: a rollback, honestly reported.
    const r = await runUpdate(session, { source: bytesSource(bytes), hash, version: '1.1.0+0' }, { reconnect: { timeoutMs: 20_000 } });
    expect(r.identity).toBe('same');
    expect(r.outcome).toBe('rolled-back');
  }, 60_000);
});
