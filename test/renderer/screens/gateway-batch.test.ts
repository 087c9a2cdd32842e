import { describe, expect, it } from 'vitest';
import { aboutDuration, batchSettingsError, radioTimeText } from '../../../renderer/src/screens/update/gateway-batch';

describe('gateway batch settings as typed', () => {
  it('accepts whole numbers in range and says which field is wrong otherwise', () => {
    expect(batchSettingsError(1, 0)).toBeNull();
    expect(batchSettingsError(100, 100)).toBeNull();
    expect(batchSettingsError(0, 20)).toMatchObject({ field: 'batchSize', message: expect.stringMatching(/1 to 100/) });
    expect(batchSettingsError(101, 20)?.field).toBe('batchSize');
    expect(batchSettingsError(2.5, 20)?.field).toBe('batchSize');
    expect(batchSettingsError(null, 20)?.field).toBe('batchSize');
    expect(batchSettingsError(10, -1)).toMatchObject({ field: 'redundancy', message: expect.stringMatching(/0 to 100/) });
    expect(batchSettingsError(10, 101)?.field).toBe('redundancy');
  });

  it('says the radio time as a rough duration with devices, batches and their size', () => {
    expect(aboutDuration(59_000)).toBe('under a minute');
    expect(aboutDuration(14 * 60_000 + 10_000)).toBe('about 14 min');
    expect(aboutDuration(125 * 60_000)).toBe('about 2 h 5 min');
    const text = radioTimeText({ devices: 57, batches: 3, batchSize: 20, redundancy: 20, radioMs: 14 * 60_000, model: { bitRate: 50_000, fragmentSize: 128, frameOverhead: 16, dutyCycle: 0.1, frameAirtimeMs: 23.04 } });
    expect(text).toBe('about 14 min of radio time for 57 devices in 3 batches of 20 (20 % redundancy), before repairs and installs.');
  });
});
