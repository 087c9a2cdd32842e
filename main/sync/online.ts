import { healthSchema } from './api-schemas';
import { cloudRequest, readJson, type CloudEndpoint } from './http';

/** What a health probe learned: whether the server answered, and its clock against ours. */
export interface ProbeResult {
  online: boolean;
  /**
   * Laptop time minus the server's `time`, taken at the middle of the round trip (off by at most
   * half of it); null when offline or the time was not readable.
   */
  cloudOffsetMs: number | null;
}

/**
 * Asks the configured server whether it is reachable: `GET /v1/health` with a short timeout.
 * The OS saying "connected" is not enough (captive portals, a dead uplink behind Wi-Fi, a VPN that
 * is down); only an answer from our own server counts. Never throws.
 */
export async function probeOnline(ep: CloudEndpoint, timeoutMs: number, signal?: AbortSignal, now: () => number = Date.now): Promise<ProbeResult> {
  try {
    const sent = now();
    const res = await cloudRequest(ep, '/v1/health', { timeoutMs, auth: false, ...(signal ? { signal } : {}) });
    if (res.status !== 200) {
      await res.body?.cancel();
      return { online: false, cloudOffsetMs: null };
    }
    const health = await readJson(res, (v) => healthSchema.parse(v), 'the health check');
    const serverTime = Date.parse(health.time);
    return { online: true, cloudOffsetMs: Number.isFinite(serverTime) ? (sent + now()) / 2 - serverTime : null };
  } catch {
    return { online: false, cloudOffsetMs: null };
  }
}
