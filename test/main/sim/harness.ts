import { ManualClock } from '../../../main/sim/manual-clock';
import { SimDevice, type SimDeviceOptions } from '../../../main/sim/device';
import { SimTransport, type SimTransportOptions } from '../../../main/sim/sim-transport';
import { decodePacket, encodePacket, type SmpPacketFields } from '../../../main/smp/packet';
import type { SmpBody } from '../../../main/smp/cbor';
import { framingFor } from '../../../main/smp/framing-for';
import type { DecodeOutput } from '../../../main/smp/framing';

/** A device on a fake clock behind a transport, with a host side that frames and decodes like a client would. */
export function harness(opts: Partial<SimDeviceOptions> = {}, transport: Partial<SimTransportOptions> = {}) {
  const clock = new ManualClock();
  const device = new SimDevice({ board: 'sf-dev-1', id: '0011223344556677', version: '1.0.0+0', clock, ...opts });
  const framing = transport.framing ?? 'raw';
  const link = new SimTransport(device, { clock, framing, ...transport });
  const hostFraming = framingFor(framing, transport.maxWrite ? { maxWrite: transport.maxWrite } : {});
  const decoder = hostFraming.createDecoder();
  const received: DecodeOutput = { packets: [], dropped: [], console: [] };
  const wire: Uint8Array[] = [];
  link.onOutput((unit) => {
    wire.push(unit);
    const out = decoder.push(unit, clock.now());
    received.packets.push(...out.packets);
    received.dropped.push(...out.dropped);
    received.console.push(...out.console);
  });
  let seq = 0;

  /** Sends raw bytes as the host would write them. */
  const sendBytes = (bytes: Uint8Array) => link.input(bytes);

  /** Sends one request, lets the device work, returns the decoded answer (or undefined when none came). */
  const request = (fields: Omit<SmpPacketFields, 'seq'> & { seq?: number }) => {
    const pkt = encodePacket({ ...fields, seq: fields.seq ?? seq++ & 0xff });
    for (const unit of hostFraming.encode(pkt)) link.input(unit);
    return settle();
  };

  /** Runs the clock until the device is idle; returns the last answer received meanwhile. */
  const settle = () => {
    const before = received.packets.length;
    clock.runUntilIdle(60_000);
    const pkt = received.packets[received.packets.length - 1];
    if (received.packets.length === before || !pkt) return undefined;
    const r = decodePacket(pkt);
    if (!r.ok) throw r.error;
    return r;
  };

  const body = (fields: Omit<SmpPacketFields, 'seq'>): SmpBody => {
    const r = request(fields);
    if (!r) throw new Error('no answer');
    return r.body;
  };

  return { clock, device, link, received, wire, request, body, settle, sendBytes };
}
