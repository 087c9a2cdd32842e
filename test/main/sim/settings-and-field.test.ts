import { describe, expect, it } from 'vitest';
import { encodePacket } from '../../../main/smp/packet';
import { harness } from './harness';

const bytes = (...b: number[]) => Uint8Array.from(b);
const KEY = new Uint8Array(16).fill(0x42);

describe('settings group (smp.md §3.3, field-group.md network settings)', () => {
  it('reads back what was written', () => {
    const h = harness();
    expect(h.body({ op: 2, group: 3, id: 0, body: { name: 'net/pan_id', val: bytes(0x34, 0x12) } })).toEqual({});
    expect(h.body({ op: 2, group: 3, id: 0, body: { name: 'net/channel', val: bytes(15) } })).toEqual({});
    expect(h.body({ op: 2, group: 3, id: 0, body: { name: 'net/security', val: new TextEncoder().encode('aes-ccm-64') } })).toEqual({});
    expect(h.body({ op: 0, group: 3, id: 0, body: { name: 'net/pan_id' } })).toEqual({ val: bytes(0x34, 0x12) });
    expect(h.body({ op: 0, group: 3, id: 0, body: { name: 'net/channel' } })).toEqual({ val: bytes(15) });
  });

  it('never lets net/key be read: EACCESSDENIED (11) in both versions', () => {
    const h = harness();
    expect(h.body({ op: 2, group: 3, id: 0, body: { name: 'net/key', val: KEY } })).toEqual({});
    expect(h.body({ op: 0, group: 3, id: 0, body: { name: 'net/key' } })).toEqual({ rc: 11 });
    expect(h.body({ op: 0, group: 3, id: 0, body: { name: 'net/key' }, version: 0 })).toEqual({ rc: 11 });
  });

  it('refuses values of the wrong shape and unknown names', () => {
    const h = harness();
    expect(h.body({ op: 2, group: 3, id: 0, body: { name: 'net/key', val: new Uint8Array(15) } })).toEqual({ rc: 3 });
    expect(h.body({ op: 2, group: 3, id: 0, body: { name: 'net/security', val: new TextEncoder().encode('rot13') } })).toEqual({ rc: 3 });
    expect(h.body({ op: 2, group: 3, id: 0, body: { name: 'net/colour', val: bytes(1) } })).toEqual({ err: { group: 3, rc: 3 } });
    expect(h.body({ op: 2, group: 3, id: 0, body: { name: 'app/x', val: bytes(1) } })).toEqual({ err: { group: 3, rc: 5 } });
    expect(h.body({ op: 0, group: 3, id: 0, body: { name: 'n'.repeat(33) } })).toEqual({ err: { group: 3, rc: 2 } });
    expect(h.body({ op: 0, group: 3, id: 0, body: {} })).toEqual({ rc: 3 });
  });

  it('applies on commit, keeps across reset only what was saved; identity reports the applied PAN', () => {
    const h = harness({ settings: { 'net/pan_id': bytes(0x01, 0x00) } });
    const identityPan = () => h.body({ op: 0, group: 64, id: 0 }).pan;
    expect(identityPan()).toBe(1);
    h.body({ op: 2, group: 3, id: 0, body: { name: 'net/pan_id', val: bytes(0x34, 0x12) } });
    expect(identityPan()).toBe(1);
    h.body({ op: 2, group: 3, id: 2 });
    expect(identityPan()).toBe(0x1234);
    h.body({ op: 2, group: 0, id: 5 });
    h.clock.runUntilIdle();
    expect(identityPan()).toBe(1);
    h.body({ op: 2, group: 3, id: 0, body: { name: 'net/pan_id', val: bytes(0x34, 0x12) } });
    h.body({ op: 2, group: 3, id: 2 });
    h.body({ op: 2, group: 3, id: 3 });
    h.body({ op: 2, group: 0, id: 5 });
    h.clock.runUntilIdle();
    expect(identityPan()).toBe(0x1234);
  });

  it('deletes a value and reloads from storage', () => {
    const h = harness({ settings: { 'net/channel': bytes(11) } });
    h.body({ op: 2, group: 3, id: 0, body: { name: 'net/channel', val: bytes(20) } });
    h.body({ op: 0, group: 3, id: 3 });
    expect(h.body({ op: 0, group: 3, id: 0, body: { name: 'net/channel' } })).toEqual({ val: bytes(11) });
    expect(h.body({ op: 2, group: 3, id: 1, body: { name: 'net/channel' } })).toEqual({});
    expect(h.body({ op: 0, group: 3, id: 0, body: { name: 'net/channel' } })).toEqual({ err: { group: 3, rc: 3 } });
  });
});

describe('field group 64 on a device (field-group.md)', () => {
  it('reports its identity, in update mode after the magnet gesture', () => {
    const h = harness({ hwRev: 'B', radio: 'mioty' });
    h.device.enterUpdateMode();
    expect(h.body({ op: 0, group: 64, id: 0 })).toEqual({
      id: '0011223344556677', board: 'sf-dev-1', hw: 'B', role: 'device', mode: 'update', led: 'update-mode', radio: 'mioty', version: '1.0.0+0',
    });
  });

  it('leaves update mode after 10 minutes without traffic', () => {
    const h = harness({ mode: 'update' });
    h.clock.advance(9 * 60_000);
    expect(h.body({ op: 0, group: 64, id: 0 }).mode).toBe('update');
    h.clock.advance(10 * 60_000 + 1);
    expect(h.body({ op: 0, group: 64, id: 0 }).mode).toBe('normal');
  });

  it('shows identify for 10 s, then falls back, and refuses unknown patterns or other targets', () => {
    const h = harness();
    h.link.input(encodePacket({ op: 2, group: 64, id: 7, seq: 1, body: { pattern: 'identify' } }));
    h.clock.advance(100);
    expect(h.device.led).toBe('identify');
    h.clock.advance(9800);
    expect(h.device.led).toBe('identify');
    h.clock.advance(200);
    expect(h.device.led).toBe('off');
    expect(h.body({ op: 2, group: 64, id: 7, body: { pattern: 'nope' } })).toEqual({ rc: 3 });
    expect(h.body({ op: 2, group: 64, id: 7, body: { target: 'ffffffffffffffff', pattern: 'off' } })).toEqual({ rc: 3 });
  });

  it('answers the gateway-only commands with ENOTSUP', () => {
    expect(harness().body({ op: 0, group: 64, id: 1 })).toEqual({ rc: 8 });
  });
});
