import type { SmpSession } from '../devices/session';
import type { Link } from '../links/link';
import { decodePacket, encodePacket, FieldCmd, packetLimit, responseOp, SmpGroup } from '../smp';
import type { Relay } from './relay-link';

/**
 * The relay behind `GatewayClient.stage`: `uploadImage` (main/devices) speaks image upload
 * (group 1, id 1); each of its packets is sent to the gateway as `stage` (group 64, id 2, same
 * body: "like image upload", field-group.md) and the answer comes back under the upload's header.
 * `reconnect` reopens the gateway's link when it dropped.
 */
export function stageRelay(gateway: SmpSession, timeoutMs: number, reconnect?: (signal?: AbortSignal) => Promise<void>): Relay {
  return async (packet, signal) => {
    // The gateway link dropped: reopen it, and the upload resumes from the gateway's offset.
    if (!gateway.link.isOpen && reconnect) await reconnect(signal);
    const req = decodePacket(packet);
    if (!req.ok) throw req.error;
    const { header, body } = req;
    const res = await gateway.exchange({ op: header.op === 0 ? 'read' : 'write', group: SmpGroup.field, id: FieldCmd.stage, body, timeoutMs, signal });
    return encodePacket({ op: responseOp(header.op), group: header.group, id: header.id, seq: header.seq, version: res.header.version, body: res.body });
  };
}

/**
 * The buffer size to give `uploadImage` on the raw relay so that its chunks fit the gateway's
 * real link (serial: buf_size − 4, BLE: MTU − 3, smp.md §5.4).
 */
export function stageBufSize(gatewayLink: Link, bufSize: number): number {
  return packetLimit({ bufSize, transport: gatewayLink.framing, maxWrite: gatewayLink.maxWrite });
}
