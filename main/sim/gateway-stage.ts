import { createHash } from 'node:crypto';
import type { SmpBody } from '../smp/cbor';
import { MgmtErr } from '../smp/error-codes';
import { sameBytes } from './handler';

/**
 * The gateway's image store for `stage` (field-group.md command 2, "like image upload"): the
 * offset rules of smp.md §5.2 — resume by `sha`, a wrong offset answers the expected one, `match`
 * when the last byte lands — into the gateway's own storage, not a boot slot. That storage holds
 * one image: starting another one erases the staged image, and while a batch is sending the
 * staged image (`busy`) another one is refused with `MGMT_ERR_EBUSY`.
 */
export class StageStore {
  private buf: Uint8Array | undefined;
  private sha: Uint8Array | undefined;
  private next = 0;
  /** The complete staged image whose SHA-256 matched, if any. */
  staged: { bytes: Uint8Array; sha: Uint8Array } | undefined;

  /** `busy`: a batch is sending the staged image right now. */
  constructor(private readonly busy: () => boolean = () => false) {}

  /** Handles one stage request body; returns the answer body. */
  handle(body: SmpBody): SmpBody {
    const { off, data, len, sha } = body;
    if (typeof off !== 'number' || !(data instanceof Uint8Array)) return { rc: MgmtErr.EINVAL };
    if (off === 0) {
      if (typeof len !== 'number' || len <= 0 || !(sha instanceof Uint8Array) || sha.length !== 32) return { rc: MgmtErr.EINVAL };
      if (this.buf && this.sha && sameBytes(this.sha, sha) && this.buf.length === len) return { off: this.next };
      if (this.staged && sameBytes(this.staged.sha, sha) && this.staged.bytes.length === len) return { off: len, match: true };
      if (data.length > len) return { rc: MgmtErr.EINVAL };
      if (this.busy()) return { rc: MgmtErr.EBUSY, rsn: 'a batch is sending the staged image' };
      this.staged = undefined;
      this.buf = new Uint8Array(len);
      this.sha = sha;
      this.next = 0;
      return this.write(data);
    }
    if (!this.buf) return { off: 0 };
    if (off !== this.next) return { off: this.next };
    if (off + data.length > this.buf.length) return { rc: MgmtErr.EINVAL };
    return this.write(data);
  }

  private write(data: Uint8Array): SmpBody {
    const buf = this.buf as Uint8Array;
    buf.set(data, this.next);
    this.next += data.length;
    if (this.next < buf.length) return { off: this.next };
    const sha = this.sha as Uint8Array;
    const match = sameBytes(new Uint8Array(createHash('sha256').update(buf).digest()), sha);
    if (match) this.staged = { bytes: buf, sha };
    this.buf = undefined;
    this.sha = undefined;
    return { off: buf.length, match };
  }
}
