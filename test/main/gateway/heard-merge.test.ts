import { describe, expect, it } from 'vitest';
import { mergeHeard, type GatewayHearing } from '../../../main/gateway/heard-merge';

const dev = (id: string, rssi: number) => ({ id, board: 'sf-dev-1', hw: '1', version: '1.0.0+0', mode: 'update' as const, led: 'update-mode', rssi, via: 'gateway' as const, target: { kind: 'gateway' as const, deviceId: id } });
const hearing = (gw: string, at: number, devices: ReturnType<typeof dev>[]): GatewayHearing => ({ gateway: { id: gw, label: `Gateway …${gw.slice(-4)}` }, at, devices });

describe('mergeHeard: one entry per device across gateways', () => {
  it('lists a device heard by two gateways once, through the one with the stronger signal, and names it in the target', () => {
    const merged = mergeHeard([hearing('5f1a6a7e00000001', 100, [dev('aa00000000000001', -80), dev('aa00000000000002', -60)]), hearing('5f1a6a7e00000002', 50, [dev('aa00000000000001', -65)])]);
    expect(merged.map((d) => [d.id, d.gateway?.id, d.rssi, d.target])).toEqual([
      ['aa00000000000001', '5f1a6a7e00000002', -65, { kind: 'gateway', deviceId: 'aa00000000000001', gatewayId: '5f1a6a7e00000002' }],
      ['aa00000000000002', '5f1a6a7e00000001', -60, { kind: 'gateway', deviceId: 'aa00000000000002', gatewayId: '5f1a6a7e00000001' }],
    ]);
  });

  it('with equal signals, goes through the gateway whose list changed last, whatever the order they are given in', () => {
    const a = hearing('5f1a6a7e00000001', 200, [dev('aa00000000000001', -70)]);
    const b = hearing('5f1a6a7e00000002', 100, [dev('aa00000000000001', -70)]);
    expect(mergeHeard([a, b])[0]?.gateway?.id).toBe('5f1a6a7e00000001');
    expect(mergeHeard([b, a])[0]?.gateway?.id).toBe('5f1a6a7e00000001');
  });
});
