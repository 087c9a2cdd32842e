import { healthSchema } from './api-schemas';
import { cloudRequest, readJson, type CloudEndpoint } from './http';

/**
 * Asks the configured server whether it is reachable: `GET /v1/health` with a short timeout.
 * The OS saying "connected" is not enough (captive portals, a dead uplink behind Wi-Fi, a VPN that
 * is down); only an answer from our own server counts. Never throws.
 */
export async function probeOnline(ep: CloudEndpoint, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  try {
    const res = await cloudRequest(ep, '/v1/health', { timeoutMs, auth: false, ...(signal ? { signal } : {}) });
    if (res.status !== 200) {
      await res.body?.cancel();
      return false;
    }
    await readJson(res, (v) => healthSchema.parse(v), 'the health check');
    return true;
  } catch {
    return false;
  }
}
