import { createHash } from 'node:crypto';
import { negotiateParams } from '../../../main/devices/params';
import { SmpSession } from '../../../main/devices/session';
import { GatewayClient } from '../../../main/gateway/gateway-client';
import { createSimGateway, type SimGatewayOptions } from '../../../main/sim/gateway';
import { buildSimImage } from '../../../main/sim/image-builder';
import { ManualClock } from '../../../main/sim/manual-clock';
import { createSimLink } from '../../../main/sim/sim-link';

/** Runs the fake clock in steps, letting promise chains settle between steps, until `p` settles. */
export async function drive<T>(clock: ManualClock, p: Promise<T>, stepMs = 50, limitMs = 4 * 3_600_000): Promise<T> {
  let settled = false;
  p.then(
    () => (settled = true),
    () => (settled = true),
  );
  const end = clock.now() + limitMs;
  await new Promise((r) => setImmediate(r));
  while (!settled) {
    if (clock.now() >= end) throw new Error(`not settled after ${limitMs} ms of fake time`);
    clock.advance(stepMs);
    await new Promise((r) => setImmediate(r));
  }
  return p;
}

/** A simulated gateway on a fake clock, a client session to it over an in-process link, and an image for its devices. */
export async function gatewaySetup(opts: Omit<SimGatewayOptions, 'clock'>, image = { version: '1.1.0+0', board: 'sf-dev-1', bodySize: 8192 }) {
  const clock = new ManualClock();
  const sim = createSimGateway({ clock, ...opts });
  const link = createSimLink(sim.gateway, { clock, framing: 'raw' });
  await link.open();
  const session = new SmpSession(link, { clock });
  const client = new GatewayClient(session, { clock });
  const params = await drive(clock, negotiateParams(session));
  const bytes = buildSimImage(image);
  const sha = new Uint8Array(createHash('sha256').update(bytes).digest());
  return { clock, sim, link, session, client, params, bytes, sha, dispose: () => (session.dispose(), sim.dispose()) };
}
