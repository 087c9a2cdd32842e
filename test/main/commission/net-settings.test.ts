import { describe, expect, it } from 'vitest';
import { parseNetKeyHex } from '../../../main/commission/net-key';
import { checkNetworkSettings, decodeChannel, decodePanId, decodeSecurity, encodePanId, networkWrites, parseSettingNumber, settingsText } from '../../../main/commission/net-settings';
import { networkCounts } from '../../../main/commission/network-counts';
import type { JournalEvent } from '../../../main/store/journal';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const KEY = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);

describe('network settings encodings (field-group.md "Network settings")', () => {
  it.each([
    [0x0000, '0000'],
    [0x1234, '3412'],
    [0xbeef, 'efbe'],
    [0xffff, 'ffff'],
  ])('writes PAN %i as 2 bytes little-endian (%s) and reads it back', (pan, bytes) => {
    expect(hex(encodePanId(pan))).toBe(bytes);
    expect(decodePanId(Buffer.from(bytes, 'hex'))).toBe(pan);
  });

  it('writes PAN, channel, security and key in that order with the spec encodings', () => {
    const writes = networkWrites({ panId: 0xbeef, channel: 20, security: 'aes-ccm-128' }, KEY);
    expect(writes.map((w) => [w.name, hex(w.val)])).toEqual([
      ['net/pan_id', 'efbe'],
      ['net/channel', '14'],
      ['net/security', Buffer.from('aes-ccm-128').toString('hex')],
      ['net/key', 'a0a1a2a3a4a5a6a7a8a9aaabacadaeaf'],
    ]);
  });

  it('reads channel and security back, and refuses values of the wrong size or name', () => {
    expect(decodeChannel(Uint8Array.of(26))).toBe(26);
    expect(decodeChannel(Uint8Array.of(1, 2))).toBeUndefined();
    expect(decodeSecurity(new TextEncoder().encode('none'))).toBe('none');
    expect(decodeSecurity(new TextEncoder().encode('aes-ccm-256'))).toBeUndefined();
    expect(decodePanId(Uint8Array.of(1))).toBeUndefined();
  });

  it.each([
    [{ panId: 0x10000, channel: 11, security: 'none' }, /PAN ID/],
    [{ panId: -1, channel: 11, security: 'none' }, /PAN ID/],
    [{ panId: 1.5, channel: 11, security: 'none' }, /PAN ID/],
    [{ panId: 1, channel: 256, security: 'none' }, /channel/],
    [{ panId: 1, channel: 11, security: 'wep' }, /security must be one of none, aes-ccm-32/],
  ])('refuses %j with a readable reason', (s, message) => {
    expect(() => checkNetworkSettings(s as never)).toThrow(message);
  });

  it('refuses a key that is not 16 bytes', () => {
    expect(() => networkWrites({ panId: 1, channel: 1, security: 'none' }, new Uint8Array(15))).toThrow(/16 bytes/);
  });

  it('describes settings for the audit without any key', () => {
    expect(settingsText({ panId: 0xbeef, channel: 20, security: 'aes-ccm-128' })).toBe('pan 0xbeef ch 20 aes-ccm-128');
    expect(settingsText({ panId: 0x12 })).toBe('pan 0x0012');
    expect(settingsText({})).toBe('pan ?');
  });

  it('parses numbers as typed, decimal or 0x hex', () => {
    expect([parseSettingNumber('48879'), parseSettingNumber('0xBEEF'), parseSettingNumber(' 20 ')]).toEqual([48879, 48879, 20]);
    expect(parseSettingNumber('12a')).toBeNaN();
    expect(parseSettingNumber('-1')).toBeNaN();
  });
});

describe('network key text', () => {
  it('takes 32 hex characters, with or without separators, in either case', () => {
    expect(hex(parseNetKeyHex('A0A1A2A3A4A5A6A7A8A9AAABACADAEAF\n'))).toBe(hex(KEY));
    expect(hex(parseNetKeyHex('a0:a1:a2:a3:a4:a5:a6:a7:a8:a9:aa:ab:ac:ad:ae:af'))).toBe(hex(KEY));
  });

  it.each(['', 'a0a1', 'a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0', 'g0a1a2a3a4a5a6a7a8a9aaabacadaeaf'])('refuses %j without echoing it', (text) => {
    let message = '';
    try {
      parseNetKeyHex(text);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/32 hex characters/);
    if (text.length > 3) expect(message.includes(text)).toBe(false);
  });
});

describe('old/new counts of a network job', () => {
  const seen = (seq: number, deviceKey: string, pan: number | null): JournalEvent => ({ jobId: 'j', seq, at: seq, deviceKey, kind: 'network-seen', from: null, to: null, detail: { pan, led: null } });

  it('counts each device by the PAN it reported last', () => {
    const events = [seen(1, 'a', 0x1234), seen(2, 'b', 0x1234), seen(3, 'a', 0xbeef), seen(4, 'c', null), { ...seen(5, 'b', 0xbeef), kind: 'state' }];
    expect(networkCounts(0xbeef, ['a', 'b', 'c', 'd'], events)).toEqual({ old: 1, new: 1, unknown: 2 });
  });
});
