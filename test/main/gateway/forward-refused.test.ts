import { describe, expect, it } from 'vitest';
import { echo } from '../../../main/devices/commands/os';
import { SmpSession } from '../../../main/devices/session';
import { GatewayClient } from '../../../main/gateway/gateway-client';
import { SimDevice } from '../../../main/sim/device';
import { ManualClock } from '../../../main/sim/manual-clock';
import { createSimLink } from '../../../main/sim/sim-link';
import { drive } from './sim-gateway';

describe('gateway forward to a device without the field group', () => {
  it('fails at once with the refusal (rc 8), naming forward and the relayed command, after one request', async () => {
    const clock = new ManualClock();
    // Zephyr's smp_svr has no field group: forward (group 64, command 6) answers rc 8 (smp.md §11.2).
    const device = new SimDevice({ board: 'native_sim_64', id: '0011223344556677', clock, personality: 'zephyr' });
    const link = createSimLink(device, { clock, framing: 'serial' });
    await link.open();
    const session = new SmpSession(link, { clock });
    const client = new GatewayClient(session, { clock });
    const fwd = await drive(clock, client.forwardSession('5f1a540000000001'));
    const started = clock.now();
    const err = await drive(clock, echo(fwd, 'hi').catch((e: unknown) => e), 10);
    expect(err).toMatchObject({ kind: 'refused', message: expect.stringMatching(/^echo \(group 0, command 0\) could not be relayed: The device refused gateway forward \(group 64, command 6\)/) });
    // One forward went out and nothing was retried; well under a second of the device's timing model.
    expect(device.stats.requests).toBe(1);
    expect(clock.now() - started).toBeLessThan(1000);
  });
});
