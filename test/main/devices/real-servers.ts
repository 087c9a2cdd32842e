import { readFileSync } from 'node:fs';
import { SmpSession } from '../../../main/devices/session';
import type { Link } from '../../../main/links/link';
import { SimDevice, type SimDeviceOptions } from '../../../main/sim/device';
import { ManualClock } from '../../../main/sim/manual-clock';
import { createSimLink } from '../../../main/sim/sim-link';
import { decodePacket, framingFor } from '../../../main/smp';

/** A real signed image from ../shared/vectors (s06: 128 KiB padded, s01: 5776 bytes). */
export function vector(name: 's01_ed25519_basic' | 's06_ed25519_pad_confirm'): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../../../../shared/vectors/images/${name}.bin`, import.meta.url)));
}

/** What the client sent on the wire, decoded: upload offsets and data lengths in order. */
export interface SentUpload {
  off: number;
  bytes: number;
  first: boolean;
}

/**
 * A client session to a personality of the simulator over an in-process serial link on a fake
 * clock. `dropLine(n)` makes the link lose the n-th line the client writes (counting from 0),
 * as a noisy cable does; every upload request the client sends is recorded in `sent`.
 */
export async function realServer(opts: Partial<SimDeviceOptions> & { baud?: number; dropLines?: Set<number> }) {
  const clock = new ManualClock();
  const { baud, dropLines, ...deviceOpts } = opts;
  const device = new SimDevice({ board: 'sf-dev-1', id: '0011223344556677', clock, ...deviceOpts });
  const inner = createSimLink(device, { clock, framing: 'serial', baud: baud ?? 115200, banner: false, unplugOnReset: false });
  const sent: SentUpload[] = [];
  const decoder = framingFor('serial').createDecoder();
  let lines = 0;
  const link: Link = {
    id: inner.id,
    kind: inner.kind,
    framing: inner.framing,
    maxWrite: inner.maxWrite,
    get isOpen() {
      return inner.isOpen;
    },
    open: (s) => inner.open(s),
    close: () => inner.close(),
    onData: (l) => inner.onData(l),
    onClose: (l) => inner.onClose(l),
    async write(data) {
      for (const p of decoder.push(data, clock.now()).packets) {
        const d = decodePacket(p);
        if (d.ok && d.header.group === 1 && d.header.id === 1) {
          sent.push({ off: d.body.off as number, bytes: (d.body.data as Uint8Array).length, first: d.body.len !== undefined });
        }
      }
      // Split into lines so that one line can be lost on the way.
      let start = 0;
      for (let i = 0; i < data.length; i++) {
        if (data[i] !== 0x0a) continue;
        const n = lines++;
        if (!dropLines?.has(n)) await inner.write(data.subarray(start, i + 1));
        start = i + 1;
      }
      if (start < data.length) await inner.write(data.subarray(start));
    },
  };
  await link.open();
  const session = new SmpSession(link, { clock });
  return { clock, device, link, session, sent, transport: inner.transport, lineCount: () => lines };
}
