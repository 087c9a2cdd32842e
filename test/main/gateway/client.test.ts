import { describe, expect, it } from 'vitest';
import { bytesSource } from '../../../main/devices/image-source';
import { negotiateParams } from '../../../main/devices/params';
import { SmpSession } from '../../../main/devices/session';
import { parseBatchStatus, parseScan, type ScannedDevice } from '../../../main/gateway/answers';
import { engineStateOf, reasonOf } from '../../../main/gateway/batch-states';
import { GatewayClient } from '../../../main/gateway/gateway-client';
import { ScanPoller, type ScanChange } from '../../../main/gateway/scan-poller';
import { createSimGateway } from '../../../main/sim/gateway';
import { ManualClock } from '../../../main/sim/manual-clock';
import { createSimLink } from '../../../main/sim/sim-link';
import { DeviceError } from '../../../main/devices/errors';
import { drive, gatewaySetup } from './sim-gateway';

describe('GatewayClient', () => {
  it('recognises a gateway and tells a field device apart', async () => {
    const g = await gatewaySetup({ devices: [{ board: 'sf-dev-1', count: 1 }] });
    expect(await drive(g.clock, g.client.identity())).toMatchObject({ role: 'gateway', id: '5f1a6a7e00000001', board: 'sf-gw-2' });
    const fwd = await drive(g.clock, g.client.forwardSession(g.sim.devices[0]!.id));
    const notGateway = await drive(g.clock, new GatewayClient(fwd, { clock: g.clock }).identity().catch((e: unknown) => e));
    expect(notGateway).toMatchObject({ kind: 'not-a-gateway' });
    g.dispose();
  });

  it('resumes a stage after the gateway link dropped halfway, from the offset the gateway holds', async () => {
    const clock = new ManualClock();
    const sim = createSimGateway({ clock, devices: [{ board: 'sf-dev-1', count: 1 }], bufSize: 512 });
    let received = 0;
    const handle = sim.field.stage.handle.bind(sim.field.stage);
    sim.field.stage.handle = (body) => ((received += (body.data as Uint8Array).length), handle(body));
    const link = createSimLink(sim.gateway, { clock, framing: 'serial', faults: { disconnectAtByte: 12_000, reconnectMs: 50 } });
    let drops = 0;
    link.onClose(() => drops++);
    await link.open();
    const session = new SmpSession(link, { clock, timeoutMs: 1000 });
    const client = new GatewayClient(session, { clock, forwardTimeoutMs: 4000 });
    const params = await drive(clock, negotiateParams(session));
    const { bytes } = await gatewaySetup({ devices: [] }, { version: '1.3.0+0', board: 'sf-dev-1', bodySize: 20_000 });
    const reconnect = async () => {
      while (!link.isOpen) {
        await new Promise((r) => clock.schedule(() => r(undefined), 100));
        await link.open().catch(() => undefined);
      }
    };
    const result = await drive(clock, client.stage(bytesSource(bytes), { bufSize: params.bufSize, reconnect }));
    expect(result.match).toBe(true);
    // The link did drop (the upload may resume from a later answer's offset without a timeout).
    expect(drops).toBe(1);
    expect(Buffer.from(sim.field.stage.staged!.bytes).equals(Buffer.from(bytes))).toBe(true);
    // About 8 KB had landed before the drop: a restart from zero would send them again.
    expect(received).toBeLessThan(bytes.length + 2500);
    session.dispose();
    sim.dispose();
  });
});

describe('gateway answers and states', () => {
  it('sorts scan results update-mode first and rejects an answer without a list', () => {
    const list = parseScan({ devices: [{ id: 'a', mode: 'normal', rssi: -40 }, { id: 'b', mode: 'update', rssi: -90 }, { id: 'c', mode: 'update', rssi: -60 }] });
    expect(list.map((d) => d.id)).toEqual(['c', 'b', 'a']);
    expect(() => parseScan({})).toThrow(DeviceError);
  });

  it('maps every target state onto an engine state and every err onto a readable reason', () => {
    expect(['queued', 'transferring', 'verifying', 'installing', 'rebooting', 'joined', 'failed', 'rolled_back', 'cancelled'].map((s) => engineStateOf(s as never))).toEqual([
      'verified',
      'transferring',
      'transferring',
      'installing',
      'installing',
      'rejoined',
      'failed',
      'rolled-back',
      'cancelled',
    ]);
    expect(reasonOf({ state: 'failed', err: 'radio_loss' })).toMatchObject({ kind: 'gateway-radio-loss', message: expect.stringMatching(/closer to the gateway/) });
    expect(reasonOf({ state: 'failed', err: 'incompatible_board' }).kind).toBe('gateway-incompatible-board');
    expect(reasonOf({ state: 'failed', err: 'brownout' }).message).toMatch(/"brownout"/);
    expect(() => parseBatchStatus({ state: 'running', targets: [{ id: 'a', state: 'flying' }] })).toThrow(/unknown target state/);
  });
});

describe('ScanPoller', () => {
  it('scans again after each interval, emits only changes, and stops', async () => {
    const clock = new ManualClock();
    const heard: ScannedDevice[][] = [
      [{ id: 'a', board: 'b', hw: '1', version: '1.0.0+0', mode: 'normal', rssi: -50, led: 'off' }],
      [{ id: 'a', board: 'b', hw: '1', version: '1.0.0+0', mode: 'normal', rssi: -52, led: 'off' }],
      [
        { id: 'a', board: 'b', hw: '1', version: '1.0.0+0', mode: 'update', rssi: -50, led: 'update-mode' },
        { id: 'z', board: 'b', hw: '1', version: '1.0.0+0', mode: 'update', rssi: -70, led: 'update-mode' },
      ],
    ];
    let scans = 0;
    const poller = new ScanPoller(async () => heard[Math.min(scans++, heard.length - 1)]!, { clock, intervalMs: 1000 });
    const changes: ScanChange[] = [];
    poller.onChange((c) => changes.push(c));
    poller.start();
    await drive(clock, new Promise((r) => clock.schedule(() => r(undefined), 2500)));
    expect(scans).toBe(3);
    expect(changes.map((c) => ({ added: c.added, changed: c.changed, removed: c.removed }))).toEqual([
      { added: ['a'], changed: [], removed: [] },
      { added: ['z'], changed: ['a'], removed: [] },
    ]);
    poller.stop();
    await drive(clock, new Promise((r) => clock.schedule(() => r(undefined), 5000)));
    expect(scans).toBe(3);
    expect(poller.running).toBe(false);
  });
});
