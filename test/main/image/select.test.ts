import { describe, expect, it } from 'vitest';
import type { BundleComponent } from '../../../main/image/bundle-manifest';
import { selectImage, type DeviceFacts } from '../../../main/image/select';

describe('selectImage', () => {
  const comp = (o: Partial<BundleComponent>): BundleComponent => ({
    board: 'sf-node-1',
    hwRevisions: ['B', 'C'],
    version: '2.0.0+0',
    file: 'images/node.bin',
    size: 1000,
    sha256: 'a'.repeat(64),
    imageHash: 'b'.repeat(64),
    ...o,
  });
  const bundle = { components: [comp({}), comp({ board: 'sf-gw-2', hwRevisions: ['1'], file: 'images/gw.bin' })] };
  const device = (o: Partial<DeviceFacts> = {}): DeviceFacts => ({ board: 'sf-node-1', hwRev: 'B', version: '1.5.0', ...o });

  it('picks the component for the board and hardware revision', () => {
    expect(selectImage(device(), bundle)).toMatchObject({ ok: true, component: { file: 'images/node.bin' } });
    expect(selectImage(device({ board: 'sf-gw-2', hwRev: '1' }), bundle)).toMatchObject({ ok: true, component: { file: 'images/gw.bin' } });
  });
  it('picks the newest when several components fit', () => {
    const b = { components: [comp({ version: '2.0.0', file: 'images/a.bin' }), comp({ version: '2.1.0', file: 'images/b.bin' })] };
    expect(selectImage(device(), b)).toMatchObject({ ok: true, component: { file: 'images/b.bin' } });
  });
  it('refuses another board, an unlisted hardware revision, and a device version it cannot read', () => {
    expect(selectImage(device({ board: 'sf-meter' }), bundle)).toMatchObject({ ok: false, reason: 'incompatible-board' });
    expect(selectImage(device({ hwRev: 'A' }), bundle)).toMatchObject({ ok: false, reason: 'unsupported-hw-revision' });
    expect(selectImage(device({ version: 'banana' }), bundle)).toMatchObject({ ok: false, reason: 'unknown-device-version' });
  });
  it('refuses a downgrade and says already-up-to-date for the same version or the same image hash', () => {
    expect(selectImage(device({ version: '2.0.1' }), bundle)).toMatchObject({ ok: false, reason: 'downgrade' });
    expect(selectImage(device({ version: '2.0.0+1' }), bundle)).toMatchObject({ ok: false, reason: 'downgrade' });
    expect(selectImage(device({ version: '2.0.0' }), bundle)).toMatchObject({ ok: false, reason: 'already-up-to-date' });
    const slots = [{ slot: 0, version: '1.5.0', active: true, hash: 'b'.repeat(64) }];
    expect(selectImage(device({ slots }), bundle)).toMatchObject({ ok: false, reason: 'already-up-to-date' });
  });
  it('refuses an image whose security counter is below the device counter; a missing counter counts as 0', () => {
    const b = { components: [comp({ securityCounter: 3 })] };
    expect(selectImage(device({ securityCounter: 4 }), b)).toMatchObject({ ok: false, reason: 'security-counter-lower' });
    expect(selectImage(device({ securityCounter: 3 }), b).ok).toBe(true);
    expect(selectImage(device({ securityCounter: 1 }), bundle)).toMatchObject({ ok: false, reason: 'security-counter-lower' });
    expect(selectImage(device({ securityCounter: 0 }), bundle).ok).toBe(true);
  });
  it('applies minUpgradeFrom and the slot size', () => {
    const b = { components: [comp({ rules: { minUpgradeFrom: '1.4.0' } })] };
    expect(selectImage(device({ version: '1.3.9' }), b)).toMatchObject({ ok: false, reason: 'not-upgradable-from' });
    expect(selectImage(device({ version: '1.4.0' }), b).ok).toBe(true);
    expect(selectImage(device({ slotSize: 999 }), bundle)).toMatchObject({ ok: false, reason: 'image-too-large' });
  });
  it('notes when the image already waits in the other slot', () => {
    const slots = [{ slot: 1, version: '2.0.0', pending: true, hash: 'b'.repeat(64) }];
    expect(selectImage(device({ slots }), bundle)).toMatchObject({ ok: true, notes: [expect.stringContaining('slot 1 (pending)')] });
  });
});
