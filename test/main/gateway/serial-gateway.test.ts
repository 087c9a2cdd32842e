import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { echo } from '../../../main/devices/commands/os';
import { bytesSource } from '../../../main/devices/image-source';
import { negotiateParams } from '../../../main/devices/params';
import { SmpSession } from '../../../main/devices/session';
import { GatewayClient } from '../../../main/gateway/gateway-client';
import { sleep, systemClock } from '../../../main/links/clock';
import { SerialLink } from '../../../main/links/serial-link';
import { createSimGateway } from '../../../main/sim/gateway';
import { buildSimImage } from '../../../main/sim/image-builder';
import { attachSerialPort } from '../../../main/sim/serial-host';
import { SimTransport } from '../../../main/sim/sim-transport';
import { openPtyPair } from '../../pty';

const FAST = { baud: 1_000_000, processingMs: 0, eraseMsPerSector: 0.2, writeBytesPerMs: 20_000, resetDelayMs: 10, bootMs: 40, swapMsPerSector: 0.2 };
const stops: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const s of stops.reverse()) await s();
});

describe('a simulated gateway on a real serial link (pty)', () => {
  it('is recognised, scans, stages, runs a batch and forwards over serial framing', { timeout: 20_000 }, async () => {
    const sim = createSimGateway({
      clock: systemClock,
      devices: [{ board: 'sf-dev-1', count: 4, device: { timing: FAST } }],
      radio: { bitRate: 2_000_000, dutyCycle: 1 },
      timing: FAST,
    });
    stops.push(() => sim.dispose());
    const pty = await openPtyPair();
    stops.push(() => pty.close());
    const transport = new SimTransport(sim.gateway, { framing: 'serial', clock: systemClock, banner: false });
    stops.push(() => transport.dispose());
    const port = await attachSerialPort(transport, pty.a, 1_000_000);
    stops.push(() => port.close());
    const link = new SerialLink({ path: pty.b, baudRate: 1_000_000 });
    await link.open();
    stops.push(() => link.close());
    const session = new SmpSession(link, { timeoutMs: 3000 });
    const client = new GatewayClient(session);
    const params = await negotiateParams(session);

    expect(await client.identity()).toMatchObject({ role: 'gateway', board: 'sf-gw-2' });
    const heard = await client.scan(100);
    expect(heard.map((d) => d.id).sort()).toEqual(sim.devices.map((d) => d.id).sort());

    const bytes = buildSimImage({ version: '1.2.0+0', board: 'sf-dev-1', bodySize: 6000 });
    const sha = new Uint8Array(createHash('sha256').update(bytes).digest());
    const staged = await client.stage(bytesSource(bytes), { bufSize: params.bufSize });
    expect(staged).toMatchObject({ total: bytes.length, match: true });
    // Staging the same image again finds it already on the gateway: nothing is sent twice.
    expect(await client.stage(bytesSource(bytes), { bufSize: params.bufSize })).toMatchObject({ match: true });

    const job = await client.batch({ sha, targets: sim.devices.map((d) => d.id), batchSize: 2, redundancy: 20, confirm: true });
    let status = await client.batchStatus(job);
    while (status.state === 'running') {
      await sleep(systemClock, 50);
      status = await client.batchStatus(job);
    }
    expect(status.targets.map((t) => t.state)).toEqual(['joined', 'joined', 'joined', 'joined']);
    for (const d of sim.devices) expect(d.flash.image(0)?.version.minor).toBe(2);

    const fwd = await client.forwardSession(sim.devices[3]!.id);
    expect(await echo(fwd, 'over serial and radio')).toBe('over serial and radio');
    fwd.dispose();
    session.dispose();
  });
});
