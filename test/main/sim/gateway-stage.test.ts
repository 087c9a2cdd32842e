import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bytesSource } from '../../../main/devices/image-source';
import { buildSimImage } from '../../../main/sim/image-builder';
import { SmpError } from '../../../main/smp';
import { drive, gatewaySetup } from '../gateway/sim-gateway';

describe('the simulated gateway holds one staged image', () => {
  it('refuses to stage another image while a batch sends the staged one, and forgets the old image once another is staged', { timeout: 20_000 }, async () => {
    const g = await gatewaySetup({ devices: [{ board: 'sf-dev-1', count: 2 }] });
    const other = buildSimImage({ version: '1.2.0+0', board: 'sf-dev-1', bodySize: 6000 });
    const stage = (bytes: Uint8Array) => drive(g.clock, g.client.stage(bytesSource(bytes), { bufSize: g.params.bufSize }));
    await stage(g.bytes);
    const job = await drive(g.clock, g.client.batch({ sha: g.sha, targets: g.sim.devices.map((d) => d.id), batchSize: 2, redundancy: 20, confirm: true }));

    const busy = await stage(other).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(SmpError);
    expect((busy as SmpError).code).toBe(10);
    expect(Buffer.compare(g.sim.field.stage.staged!.sha, g.sha)).toBe(0);

    g.clock.advance(600_000);
    await drive(g.clock, g.client.batchStatus(job));
    expect(g.sim.field.batches.get(job)!.status()).toMatchObject({ state: 'done' });
    expect(await stage(other)).toMatchObject({ match: true });
    expect(Buffer.compare(g.sim.field.stage.staged!.sha, createHash('sha256').update(other).digest())).toBe(0);
    const stale = await drive(g.clock, g.client.batch({ sha: g.sha, targets: [g.sim.devices[0]!.id], batchSize: 1, redundancy: 20, confirm: true }).catch((e: unknown) => e));
    expect((stale as SmpError).code).toBe(3);
    g.dispose();
  });
});
