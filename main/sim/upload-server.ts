import { createHash } from 'node:crypto';
import { SmpGroup } from '../smp/constants';
import { ImageErr, MgmtErr } from '../smp/error-codes';
import { groupFail, legacyFail, ok, sameBytes, type SimDeviceContext, type SimReply, type SimRequest } from './handler';
import { inspectSlotImage } from './slot-image';
import { eraseMs, writeMs } from './timing';

/** MCUboot image header magic, little-endian (mcuboot-image.md §2). */
const IMAGE_MAGIC_LE = [0x3d, 0xb8, 0xf3, 0x96];
/** Size of the MCUboot header struct the first chunk must hold (smp.md §5.2). */
const MIN_FIRST_CHUNK = 32;

interface Session {
  len: number;
  next: number;
  sha: Uint8Array | undefined;
  buf: Uint8Array;
}

/**
 * The image upload server (smp.md §5.2, Zephyr behaviour): session in RAM, resume by `sha`,
 * "wrong offset → success with the expected offset", `match` at completion, board check.
 */
export class UploadServer {
  private session: Session | undefined;

  constructor(
    private readonly dev: SimDeviceContext,
    private readonly opts: { imageCheck: boolean },
  ) {}

  /** Forgets the session (reset, power loss, erase). */
  abort(): void {
    this.session = undefined;
  }

  /** Whether an upload session is open. */
  get active(): boolean {
    return this.session !== undefined;
  }

  handle(req: SimRequest): SimReply {
    const { off, data } = req.body;
    if (typeof off !== 'number') return groupFail(req, SmpGroup.image, ImageErr.INVALID_OFFSET);
    if (!(data instanceof Uint8Array)) return legacyFail(MgmtErr.EINVAL);
    return off === 0 ? this.first(req, data) : this.later(req, off, data);
  }

  private first(req: SimRequest, data: Uint8Array): SimReply {
    const { len, sha, upgrade, image } = req.body;
    if (data.length < MIN_FIRST_CHUNK) return groupFail(req, SmpGroup.image, ImageErr.INVALID_IMAGE_HEADER);
    if (typeof len !== 'number') return groupFail(req, SmpGroup.image, ImageErr.INVALID_LENGTH);
    if (IMAGE_MAGIC_LE.some((b, i) => data[i] !== b)) return groupFail(req, SmpGroup.image, ImageErr.INVALID_IMAGE_HEADER_MAGIC);
    if (sha !== undefined && (!(sha instanceof Uint8Array) || sha.length > 32)) return groupFail(req, SmpGroup.image, ImageErr.INVALID_HASH);
    if (image !== undefined && image !== 0) return groupFail(req, SmpGroup.image, ImageErr.INVALID_SLOT);
    const s = this.session;
    if (s && sha instanceof Uint8Array && s.sha && sameBytes(s.sha, sha)) return ok({ off: s.next });
    const flash = this.dev.flash;
    if (flash.nextSwap() !== 'none') return groupFail(req, SmpGroup.image, ImageErr.NO_FREE_SLOT);
    if (len > flash.maxImageSize(this.dev.timing.sectorSize)) return groupFail(req, SmpGroup.image, ImageErr.INVALID_IMAGE_TOO_LARGE);
    if (data.length > len) return groupFail(req, SmpGroup.image, ImageErr.INVALID_IMAGE_DATA_OVERRUN);
    if (upgrade === true && !this.isNewer(data)) return groupFail(req, SmpGroup.image, ImageErr.CURRENT_VERSION_IS_NEWER);
    if (this.opts.imageCheck && sha instanceof Uint8Array && sha.length === 32 && this.slotMatches(len, sha)) {
      return ok({ off: len, match: true });
    }
    const buf = flash.beginWrite(1, len);
    this.session = { len, next: 0, sha: sha instanceof Uint8Array ? sha : undefined, buf };
    return this.write(req, this.session, data, eraseMs(this.dev.timing, len));
  }

  private later(req: SimRequest, off: number, data: Uint8Array): SimReply {
    const s = this.session;
    if (!s) return ok({ off: 0 });
    if (off !== s.next) return ok({ off: s.next });
    if (off + data.length > s.len) return groupFail(req, SmpGroup.image, ImageErr.INVALID_IMAGE_DATA_OVERRUN);
    return this.write(req, s, data, 0);
  }

  private write(req: SimRequest, s: Session, data: Uint8Array, extraMs: number): SimReply {
    s.buf.set(data, s.next);
    s.next += data.length;
    this.dev.flash.touched(1);
    const workMs = extraMs + writeMs(this.dev.timing, data.length);
    if (s.next < s.len) {
      this.dev.setLed('receiving');
      return ok({ off: s.next }, workMs);
    }
    this.session = undefined;
    this.dev.setLed(this.dev.mode === 'update' ? 'update-mode' : 'off');
    const img = inspectSlotImage(s.buf);
    if (img?.board !== undefined && img.board !== this.dev.board) {
      this.dev.flash.erase(1);
      this.dev.setLed('error', 3000);
      const rsn = `image is for board ${img.board}, this device is ${this.dev.board}`;
      return { ...groupFail(req, SmpGroup.image, ImageErr.INVALID_TLV, rsn), workMs };
    }
    if (!this.opts.imageCheck || !s.sha || s.sha.length !== 32) return ok({ off: s.next }, workMs);
    return ok({ off: s.next, match: sameBytes(sha256(s.buf), s.sha) }, workMs);
  }

  private isNewer(header: Uint8Array): boolean {
    const running = this.dev.flash.image(0)?.version;
    if (!running) return true;
    const v = new DataView(header.buffer, header.byteOffset, header.length);
    const next = [v.getUint8(20), v.getUint8(21), v.getUint16(22, true)];
    const cur = [running.major, running.minor, running.revision];
    for (let i = 0; i < 3; i++) if (next[i] !== cur[i]) return (next[i] as number) > (cur[i] as number);
    return false;
  }

  private slotMatches(len: number, sha: Uint8Array): boolean {
    const img = this.dev.flash.image(1);
    return !!img && img.bytes.length === len && sameBytes(sha256(img.bytes), sha);
  }
}

function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}
