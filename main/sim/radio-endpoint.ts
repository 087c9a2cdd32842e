import type { Clock } from '../links/clock';
import type { SmpBody } from '../smp/cbor';
import { ImageCmd, SmpGroup, SmpOp } from '../smp/constants';
import { decodeHeader, decodePacket, encodePacket } from '../smp/packet';
import type { SimDevice } from './device';
import type { RadioLinkModel } from './radio';

/** Sequence numbers the endpoint's own requests use; forwarded packets keep the client's. */
const OWN_SEQ_BASE = 0xe0;
/** Bytes the fragment session writes to flash per step. */
const WRITE_CHUNK = 4096;

/**
 * A simulated device as the gateway reaches it over the radio: its link model (loss, RSSI,
 * range) and an in-process SMP port to it. The device's own firmware (fragment session, flash
 * writes, test mark, reset) is modelled as SMP requests made here, so the device's real image
 * manager checks the board, the SHA-256 and the swap exactly as for a direct upload.
 */
export class RadioEndpoint {
  private readonly waiting = new Map<string, (packet: Uint8Array | undefined) => void>();
  private nextSeq = 0;

  constructor(
    readonly device: SimDevice,
    readonly link: RadioLinkModel,
    private readonly clock: Clock,
  ) {
    device.onResponse((packet) => {
      const h = decodeHeader(packet);
      if (!h) return;
      const key = `${h.seq}/${h.group}/${h.id}`;
      const cb = this.waiting.get(key);
      if (!cb) return;
      this.waiting.delete(key);
      cb(packet);
    });
  }

  /** The device's EUI-64. */
  get id(): string {
    return this.device.id;
  }

  /**
   * Hands one whole request packet to the device; `done` gets its answer, or undefined when the
   * device stays silent (down, no buffer) for `timeoutMs`.
   */
  exchange(packet: Uint8Array, timeoutMs: number, done: (answer: Uint8Array | undefined) => void): void {
    const h = decodeHeader(packet);
    if (!h) return done(undefined);
    const key = `${h.seq}/${h.group}/${h.id}`;
    let settled = false;
    const cancel = this.clock.schedule(() => finish(undefined), timeoutMs);
    const finish = (answer: Uint8Array | undefined) => {
      if (settled) return;
      settled = true;
      cancel();
      if (this.waiting.get(key) === finish) this.waiting.delete(key);
      done(answer);
    };
    this.waiting.set(key, finish);
    this.device.handlePacket(packet);
  }

  /**
   * The firmware's fragment session writes the rebuilt image into slot 1, chunk by chunk through
   * the device's image manager (which checks the board and the SHA-256); `done` gets the last answer.
   */
  writeImage(image: Uint8Array, sha: Uint8Array, done: (answer: SmpBody | undefined) => void, chunk = WRITE_CHUNK): void {
    const step = (off: number) => {
      const data = image.subarray(off, Math.min(image.length, off + chunk));
      const body = off === 0 ? { off, len: image.length, sha, data } : { off, data };
      this.call('write', SmpGroup.image, ImageCmd.upload, body, (answer) => {
        const next = answer?.off;
        if (!answer || answer.rc !== undefined || answer.err !== undefined || typeof next !== 'number' || next >= image.length || next <= off) return done(answer);
        step(next);
      });
    };
    step(0);
  }

  /** The device firmware's own request; `done` gets the decoded body, or undefined on silence. */
  call(op: 'read' | 'write', group: number, id: number, body: SmpBody, done: (answer: SmpBody | undefined) => void, timeoutMs = 30_000): void {
    const seq = OWN_SEQ_BASE + (this.nextSeq++ % 0x20);
    const packet = encodePacket({ op: op === 'read' ? SmpOp.read : SmpOp.write, group, id, seq, version: 1, body });
    this.exchange(packet, timeoutMs, (answer) => {
      const decoded = answer ? decodePacket(answer) : undefined;
      done(decoded?.ok ? decoded.body : undefined);
    });
  }
}
