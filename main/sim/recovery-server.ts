import { ImageCmd, OsCmd, SmpGroup } from '../smp/constants';
import { MgmtErr } from '../smp/error-codes';
import type { SmpBody } from '../smp/cbor';
import { isWrite, legacyFail, ok, type SimDeviceContext, type SimReply, type SimRequest } from './handler';
import { smpVersionText } from './slot-image';
import { eraseMs, writeMs } from './timing';

/** MCUboot serial recovery's receive buffer (smp.md §11: 512 bytes by default, one request at a time). */
export const RECOVERY_BUF_SIZE = 512;
/** Longest echo answer text (smp.md §11: "answers are capped at about 212 bytes"). */
const ECHO_CAP = 200;

/**
 * MCUboot serial recovery as an SMP server (smp.md §11): uploads go straight into slot 0, whole
 * flash write units per chunk, legacy `rc` answers (also on success), everything outside
 * echo/reset/params/image state/upload/slot info answers rc 8.
 */
export class RecoveryServer {
  private upload: { len: number; next: number } | undefined;

  constructor(
    private readonly dev: SimDeviceContext,
    /** Flash write unit A (smp.md §5.5). */
    private readonly writeAlign = 8,
  ) {}

  /** Forgets the upload (reset). */
  abort(): void {
    this.upload = undefined;
  }

  handle(req: SimRequest): SimReply | undefined {
    const { group, id } = req.header;
    const write = isWrite(req);
    if (group === SmpGroup.os) {
      if (id === OsCmd.echo && write) return typeof req.body.d === 'string' ? ok({ r: req.body.d.slice(0, ECHO_CAP) }) : legacyFail(MgmtErr.EINVAL);
      if (id === OsCmd.reset && write) return { body: {}, after: () => this.dev.scheduleReset() };
      if (id === OsCmd.mcumgrParams && !write) return ok({ buf_size: RECOVERY_BUF_SIZE, buf_count: 1 });
      return undefined;
    }
    if (group !== SmpGroup.image) return undefined;
    if (id === ImageCmd.state) return ok(this.state());
    if (id === ImageCmd.upload && write) return this.chunk(req);
    if (id === ImageCmd.slotInfo && !write) {
      const size = this.dev.flash.slotSize;
      return ok({ images: [{ image: 0, slots: [{ slot: 0, size }] }] });
    }
    return undefined;
  }

  /** Only slots whose image the bootloader accepts; flags only when true (smp.md §11). */
  private state(): SmpBody {
    const img = this.dev.flash.image(0);
    if (!img || !img.hashOk) return { images: [] };
    return { images: [{ slot: 0, version: smpVersionText(img.version), hash: img.hash, active: true, confirmed: true }] };
  }

  private chunk(req: SimRequest): SimReply {
    const { off, data, len, image } = req.body;
    if (typeof off !== 'number' || !(data instanceof Uint8Array)) return legacyFail(MgmtErr.EINVAL);
    if (image !== undefined && image !== 0) return legacyFail(MgmtErr.EINVAL);
    const flash = this.dev.flash;
    let extraMs = 0;
    if (off === 0) {
      if (typeof len !== 'number' || len > flash.maxImageSize(this.dev.timing.sectorSize)) return legacyFail(MgmtErr.EINVAL);
      // Every off-0 chunk restarts the upload and erases the whole primary slot.
      flash.beginWrite(0, len);
      this.upload = { len, next: 0 };
      extraMs = eraseMs(this.dev.timing, flash.slotSize);
    }
    const u = this.upload;
    if (!u || off !== u.next) return ok({ off: u?.next ?? 0 });
    if (off + data.length > u.len) return legacyFail(MgmtErr.EINVAL);
    const last = off + data.length === u.len;
    const n = last ? data.length : data.length - (data.length % this.writeAlign);
    flash.writeAt(0, off, data.subarray(0, n));
    u.next += n;
    return ok({ off: u.next }, extraMs + writeMs(this.dev.timing, n));
  }
}
