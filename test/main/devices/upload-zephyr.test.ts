import { describe, expect, it } from 'vitest';
import { bytesSource } from '../../../main/devices/image-source';
import { negotiateParams } from '../../../main/devices/params';
import { uploadImage } from '../../../main/devices/upload';
import { drive } from '../gateway/sim-gateway';
import { realServer, vector } from './real-servers';

const S06 = vector('s06_ed25519_pad_confirm');

describe('upload to Zephyr smp_svr (the zephyr personality, smp.md §11.2)', () => {
  it('requests lost in the UART line buffers: the next answer shows it, the client moves on without a timeout and narrows its window', async () => {
    // At 1 Mbaud lines arrive faster than the SMP thread frees its two line buffers: with params'
    // window of 3 a line is sometimes lost, so its request goes unanswered.
    const r = await realServer({ personality: 'zephyr', baud: 1_000_000, timing: { processingMs: 2, writeBytesPerMs: 40 } });
    const params = await drive(r.clock, negotiateParams(r.session), 5);
    expect(params).toMatchObject({ bufSize: 384, bufCount: 4 });
    const t0 = r.clock.now();
    const result = await drive(r.clock, uploadImage(r.session, bytesSource(S06), { bufSize: params.bufSize }), 5);
    const ms = r.clock.now() - t0;
    const lostRequests = r.sent.length - r.device.stats.requests;
    expect(r.transport.dropped.some((d) => d.reason === 'no-line-buffer')).toBe(true);
    expect(lostRequests).toBeGreaterThan(0);
    expect(Buffer.compare(r.device.flash.image(1)?.bytes ?? new Uint8Array(0), S06)).toBe(0);
    // The loss is known at the next answer (no timeout waited out), and the window shrinks to what
    // the line buffers hold, so losses stop (740 lost requests and 2 timeouts without either).
    expect(result.recoveries).toBe(0);
    expect(lostRequests).toBeLessThanOrEqual(3);
    // Fake-clock time of the device model at 1 Mbaud; one 1 s timeout alone would add more than 10 %.
    expect(ms).toBeLessThan(10_000);
  });
});
