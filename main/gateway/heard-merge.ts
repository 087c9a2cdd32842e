import type { HeardDevice } from '../../preload/api';

/** What one gateway's latest scan heard, and when that list last changed (core clock, ms). */
export interface GatewayHearing {
  gateway: { id: string; label: string };
  at: number;
  devices: Omit<HeardDevice, 'gateway'>[];
}

/**
 * One entry per device across every gateway's latest scan. A device heard by several gateways
 * goes through the one that hears it best: the strongest RSSI in their latest scans; with equal
 * signals, the gateway whose list changed last; still equal, the gateway connected first. The
 * entry's target names that gateway, so the job reaches the device the same way.
 */
export function mergeHeard(hearings: readonly GatewayHearing[]): HeardDevice[] {
  const best = new Map<string, { d: HeardDevice; rssi: number; at: number }>();
  for (const h of hearings) {
    for (const d of h.devices) {
      const rssi = d.rssi ?? Number.NEGATIVE_INFINITY;
      const prev = best.get(d.id);
      if (prev && (prev.rssi > rssi || (prev.rssi === rssi && prev.at >= h.at))) continue;
      best.set(d.id, { d: { ...d, via: 'gateway', gateway: h.gateway, target: { kind: 'gateway', deviceId: d.id, gatewayId: h.gateway.id } }, rssi, at: h.at });
    }
  }
  return [...best.values()].map((b) => b.d);
}

/** A short name for a gateway in lists: the end of its EUI-64 and where it is plugged in. */
export function gatewayLabel(id: string, via: string): string {
  return via === 'demo' ? `Demo gateway …${id.slice(-4)}` : `Gateway …${id.slice(-4)} (${via})`;
}
