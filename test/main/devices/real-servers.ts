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
  /** Bytes of the request on the wire (serial framing: base64 lines with markers and newlines). */
  wire: number;
}

/**
 * A client session to a personality of the simulator over an in-process serial link on a fake
 * clock. `dropLines` makes the link lose those lines the client writes (counting from 0), as a
 * noisy cable does (`dropAnswerLines`: the device's lines); every upload request the client sends is recorded in `sent`. `lineBuffers`
 * gives the session a serial send-ahead budget (as negotiateParams does on serial).
 */
export async function realServer(opts: Partial<SimDeviceOptions> & { baud?: number; dropLines?: Set<number>; dropAnswerLines?: Set<number>; lineBuffers?: number }) {
  const clock = new ManualClock();
  const { baud, dropLines, dropAnswerLines, lineBuffers, ...deviceOpts } = opts;
  const device = new SimDevice({ board: 'sf-dev-1', id: '0011223344556677', clock, ...deviceOpts });
  const inner = createSimLink(device, { clock, framing: 'serial', baud: baud ?? 115200, banner: false, unplugOnReset: false });
  const { link, sent, lineCount } = tapLink(inner, { now: () => clock.now(), dropLines, dropAnswerLines });
  await link.open();
  const session = new SmpSession(link, { clock, ...(lineBuffers === undefined ? {} : { lineBuffers }) });
  return { clock, device, link, session, sent, transport: inner.transport, lineCount };
}

/**
 * Wraps a serial link to record every upload request the client sends (decoded from the wire) and
 * to lose the client's lines numbered in `dropLines` or the device's lines in `dropAnswerLines`
 * (counting from 0), as a noisy cable does.
 */
export function tapLink(inner: Link, o: { now: () => number; dropLines?: Set<number> | undefined; dropAnswerLines?: Set<number> | undefined }) {
  const sent: SentUpload[] = [];
  const framing = framingFor('serial');
  const decoder = framing.createDecoder();
  let lines = 0;
  let answerLines = 0;
  const countLines = (d: Uint8Array) => d.reduce((n, b) => n + (b === 0x0a ? 1 : 0), 0);
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
    // The simulator sends one line per unit: drop those the test names.
    onData: (l) => inner.onData((d) => (o.dropAnswerLines?.has(answerLines++) ? undefined : l(d))),
    onClose: (l) => inner.onClose(l),
    async write(data) {
      for (const p of decoder.push(data, o.now()).packets) {
        const d = decodePacket(p);
        if (d.ok && d.header.group === 1 && d.header.id === 1) {
          const wire = framing.encode(p).reduce((n, line) => n + line.length, 0);
          sent.push({ off: d.body.off as number, bytes: (d.body.data as Uint8Array).length, first: d.body.len !== undefined, wire });
        }
      }
      if (!o.dropLines) {
        lines += countLines(data);
        return inner.write(data);
      }
      // Split into lines so that one line can be lost on the way.
      let start = 0;
      for (let i = 0; i < data.length; i++) {
        if (data[i] !== 0x0a) continue;
        const n = lines++;
        if (!o.dropLines.has(n)) await inner.write(data.subarray(start, i + 1));
        start = i + 1;
      }
      if (start < data.length) await inner.write(data.subarray(start));
    },
  };
  return { link, sent, lineCount: () => lines };
}
