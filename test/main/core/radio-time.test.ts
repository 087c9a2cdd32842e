import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Core } from '../../../main/core';
import { value } from './helpers';

const dataDir = mkdtempSync(join(tmpdir(), 'siteflash-radio-time-'));
const core = new Core({ dataDir, host: 'cli', portLister: async () => [], deviceSources: {} });
afterAll(() => core.close());

describe('the radio time of a gateway update, through the core facade (demo site)', () => {
  it('estimates from the release image sizes and the demo gateway radio, and refuses out-of-range settings with a clear error', { timeout: 60_000 }, async () => {
    const bundle = value(await core.invoke('releases:import-demo', {}));
    value(await core.invoke('demo:start', {}));
    const board = bundle.components[0]!.board;
    const size = Math.max(...bundle.components.filter((c) => c.board === board).map((c) => c.size));
    const e = value(await core.invoke('gateway:radio-time', { bundleId: bundle.id, boards: Array(7).fill(board), batchSize: 3, redundancy: 20 }));
    expect(e).toMatchObject({ devices: 7, batches: 3, batchSize: 3, redundancy: 20 });
    // The demo radio (1 Mbit/s, no duty-cycle wait): frames of 128 + 16 bytes.
    const k = Math.ceil(size / 128);
    expect(e.model).toMatchObject({ bitRate: 1_000_000, dutyCycle: 1 });
    expect(e.radioMs).toBe(Math.round(3 * (k + Math.ceil(k * 0.2)) * ((144 * 8 * 1000) / 1_000_000)));

    const zero = await core.invoke('gateway:radio-time', { bundleId: bundle.id, boards: [board], batchSize: 0, redundancy: 20 });
    expect(zero.ok ? '' : zero.error.message).toMatch(/batch size must be at least 1 device/);
    const tooMuch = await core.invoke('job:start', { bundleId: bundle.id, targets: [{ link: { kind: 'gateway', deviceId: '5f1a550000000000' } }], policy: { ledConfirm: false, retries: 0, afterRejoin: 'confirm' }, gatewayBatch: { batchSize: 10, redundancy: 101 } });
    expect(tooMuch.ok ? '' : tooMuch.error.message).toMatch(/redundancy can be at most 100 %/);
    const unknown = await core.invoke('gateway:radio-time', { bundleId: bundle.id, boards: ['no-such-board'], batchSize: 10, redundancy: 20 });
    expect(unknown).toMatchObject({ ok: false, error: { kind: 'board-not-in-release' } });
  });
});
