import { describe, expect, it } from 'vitest';
import type { DeviceFacts } from '../../../main/jobs/driver';
import { chooseComponent } from '../../../main/jobs/select-component';
import type { JobRelease, ReleaseComponent } from '../../../main/jobs/types';

const image = (version: string, extra: Partial<ReleaseComponent> = {}): ReleaseComponent => ({ board: 'b1', version, path: '/x', size: 10, sha256: 'aa', imageHash: `h-${version}`, ...extra });
const single = (version: string): JobRelease => ({ kind: 'image', name: 'app.bin', components: [image(version)] });
const bundle = (version: string): JobRelease => ({ kind: 'bundle', name: 'sys', components: [image(version, { hwRevisions: ['A'] })] });
const device = (version: string): DeviceFacts => ({ board: 'b1', hwRev: 'A', version, slots: [{ slot: 0, version, hash: `h-${version}`, active: true, pending: false, confirmed: true }] });

describe('chooseComponent: the version rule for every release kind', () => {
  it('refuses a single image older than the device runs (1.1.0 → 0.9.0) as a downgrade', () => {
    const c = chooseComponent(single('0.9.0+0'), device('1.1.0+0'));
    expect(c).toMatchObject({ ok: false, upToDate: false, kind: 'downgrade' });
  });

  it('sends the older single image when the technician allowed a downgrade', () => {
    const c = chooseComponent(single('0.9.0+0'), device('1.1.0+0'), { allowDowngrade: true });
    expect(c.ok && c.component.version).toBe('0.9.0+0');
  });

  it('sends a newer single image without asking', () => {
    expect(chooseComponent(single('1.2.0+0'), device('1.1.0+0')).ok).toBe(true);
  });

  it('refuses an older bundle component unless allowed', () => {
    expect(chooseComponent(bundle('0.9.0+0'), device('1.1.0+0'))).toMatchObject({ ok: false, kind: 'downgrade' });
    expect(chooseComponent(bundle('0.9.0+0'), device('1.1.0+0'), { allowDowngrade: true }).ok).toBe(true);
  });
});
