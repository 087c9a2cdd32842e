import { createHash } from 'node:crypto';
import type { Link } from '../../../main/links/link';
import { decodePacket, encodePacket, framingFor, responseOp, type SmpBody, type SmpHeader } from '../../../main/smp';

/** One request as the fake device decoded it. */
export interface SeenRequest {
  header: SmpHeader;
  body: SmpBody;
}

/** What a handler returns: a body to answer with, or `silent` to answer nothing. */
export type Reply = SmpBody | 'silent';

/**
 * A device made of a script: decodes each request arriving on its end of a loopback pair and
 * answers what the handler returns, framed for the link, with the request's seq (smp.md §1).
 */
export class ScriptedDevice {
  readonly seen: SeenRequest[] = [];
  private readonly framing;
  private readonly decoder;

  constructor(
    readonly end: Link,
    public handler: (req: SeenRequest) => Reply,
  ) {
    this.framing = framingFor(end.framing);
    this.decoder = this.framing.createDecoder();
    end.onData((chunk) => {
      for (const packet of this.decoder.push(chunk, 0).packets) {
        const decoded = decodePacket(packet);
        if (!decoded.ok) throw decoded.error;
        const req = { header: decoded.header, body: decoded.body };
        this.seen.push(req);
        const reply = this.handler(req);
        if (reply !== 'silent') this.answer(req.header, reply);
      }
    });
  }

  /** Sends an answer to a request (used by handlers that answer later or out of order). */
  answer(h: SmpHeader, body: SmpBody): void {
    const packet = encodePacket({ op: responseOp(h.op), group: h.group, id: h.id, seq: h.seq, version: Math.min(h.version, 1), body });
    for (const unit of this.framing.encode(packet)) void this.end.write(unit).catch(() => undefined);
  }
}

/**
 * The image upload server of smp.md §5.2 (Zephyr): sessions matched by `sha`, a wrong offset
 * answered with the expected one, `match` at the end. Flash survives a disconnect.
 */
export class UploadServer {
  flash = new Uint8Array(0);
  expected = 0;
  len = 0;
  sha: Uint8Array | undefined;
  /** Upload requests received so far. */
  requests = 0;
  /** Numbers (0-based, counting every upload request) of chunks lost on the line once. */
  readonly lose = new Set<number>();
  /** Called after each chunk is stored, with the new expected offset. */
  onStored: (expected: number) => void = () => {};
  /** Set to make the final `match` false once (bytes corrupted in flash). */
  corruptOnce = false;

  handle(body: SmpBody): SmpBody {
    const off = body.off as number;
    const data = body.data as Uint8Array;
    const lost = this.lose.delete(this.requests++);
    if (off === 0) {
      const sha = body.sha as Uint8Array;
      if (this.sha && Buffer.compare(this.sha, sha) === 0 && this.expected < this.len) return { off: this.expected };
      this.len = body.len as number;
      this.sha = sha;
      this.flash = new Uint8Array(this.len);
      this.expected = 0;
    }
    if (off !== this.expected || lost) return { off: this.expected };
    if (off + data.length > this.len) return { err: { group: 1, rc: 31 } };
    this.flash.set(data, off);
    this.expected = off + data.length;
    this.onStored(this.expected);
    if (this.expected < this.len) return { off: this.expected };
    let digest = createHash('sha256').update(this.flash).digest();
    if (this.corruptOnce) {
      this.corruptOnce = false;
      digest = Buffer.alloc(32);
    }
    const match = Buffer.compare(digest, this.sha ?? new Uint8Array(0)) === 0;
    this.sha = undefined;
    return { off: this.expected, match };
  }
}
