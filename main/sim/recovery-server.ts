import { ImageCmd, OsCmd, SmpGroup } from '../smp/constants';
import { MgmtErr } from '../smp/error-codes';
import type { SmpBody } from '../smp/cbor';
import { isWrite, legacyFail, ok, type SimDeviceContext, type SimReply, type SimRequest } from './handler';
import { smpVersionText } from './slot-image';
import { eraseMs, writeMs } from './timing';

/**
 * Largest SMP packet serial recovery answers: 1020 bytes, 1024 with the frame's length and CRC
 * (smp.md §11.1, transcript `frame1024` answered, `frame1025` silent).
 */
export const RECOVERY_PACKET_MAX = 1020;
/** What the full build's mcumgr params report: buf_size counts the length and CRC too (smp.md §11.1). */
export const RECOVERY_BUF_SIZE = 1024;
/** Longest serial line recovery takes, marker and newline counted (smp.md §11). */
export const RECOVERY_MAX_LINE = 128;
/**
 * Line buffers of MCUboot's serial recovery on Zephyr: `CONFIG_BOOT_LINE_BUFS` (Kconfig default 8,
 * range 2–128) buffers of `CONFIG_BOOT_MAX_LINE_INPUT_LEN` (default 128) bytes
 * (boot/zephyr/Kconfig.serial_recovery). The UART interrupt takes a free buffer for each line
 * and drops input when none is free (boot/zephyr/serial_adapter.c, "Not enough memory to store
 * incoming data!"); the reader recycles the buffer of the line it returned only at its next read,
 * so while boot_serial works on a packet it still holds one of them.
 */
export const RECOVERY_LINE_BUFS = 8;

/**
 * The two builds recorded in transcripts/mcuboot-serial-recovery.json: `default` (Zephyr's
 * defaults: no image state flags, no slot info, no mcumgr params, 164-byte response buffer) and
 * `full` (those enabled, 212-byte response buffer).
 */
export type RecoveryBuild = 'default' | 'full';

/** Response buffer `BOOT_SERIAL_OUT_MAX` of each build: a longer answer body is rc 2 (ENOMEM). */
const OUT_MAX: Record<RecoveryBuild, number> = { default: 164, full: 212 };

/**
 * MCUboot serial recovery as an SMP server (boot_serial.c, smp.md §11–11.1): uploads go straight
 * into slot 0 (off 0 erases the slot), whole flash write units per chunk, a wrong offset answers
 * rc 0 with the device's own offset, errors are `{rc}` only, everything outside echo / reset /
 * image list / upload (and on the full build params / slot info) answers rc 8.
 */
export class RecoveryServer {
  private upload: { len: number; next: number } | undefined;

  constructor(
    private readonly dev: SimDeviceContext,
    /** Flash write unit A (smp.md §5.5). */
    private readonly writeAlign = 8,
    readonly build: RecoveryBuild = 'default',
  ) {}

  /** Forgets the upload (reset, restart: RAM cleared). */
  abort(): void {
    this.upload = undefined;
  }

  /** Largest answer body (CBOR bytes) the response buffer holds. */
  get outMax(): number {
    return OUT_MAX[this.build];
  }

  handle(req: SimRequest): SimReply | undefined {
    const { group, id } = req.header;
    const write = isWrite(req);
    const full = this.build === 'full';
    if (group === SmpGroup.os) {
      if (id === OsCmd.echo && write) return typeof req.body.d === 'string' ? ok({ r: req.body.d }) : legacyFail(MgmtErr.EINVAL);
      if (id === OsCmd.reset && write) return { body: { rc: 0 }, after: () => this.dev.scheduleReset() };
      if (id === OsCmd.mcumgrParams && !write && full) return ok({ buf_size: RECOVERY_BUF_SIZE, buf_count: 1 });
      return undefined;
    }
    if (group !== SmpGroup.image) return undefined;
    if (id === ImageCmd.state && !write) return ok(this.list());
    if (id === ImageCmd.upload && write) return this.chunk(req);
    if (id === ImageCmd.slotInfo && !write && full) return ok(this.slotInfo());
    return undefined;
  }

  /** Only an image whose hash checks; no flags on the default build, only true ones on the full build. */
  private list(): SmpBody {
    const img = this.dev.flash.image(0);
    if (!img || !img.hashOk) return { images: [] };
    const entry = { slot: 0, hash: img.hash, version: smpVersionText(img.version) };
    if (this.build === 'default') return { images: [entry] };
    return { images: [{ bootable: true, confirmed: true, active: true, ...entry }] };
  }

  private slotInfo(): SmpBody {
    const size = this.dev.flash.slotSize;
    // Swap using move keeps one sector for moving and one for the trailer.
    const maxImageSize = size - 2 * this.dev.timing.sectorSize;
    return { images: [{ image: 0, slots: [{ slot: 0, size }, { slot: 1, size, upload_image_id: 0 }], max_image_size: maxImageSize }] };
  }

  private chunk(req: SimRequest): SimReply {
    const { off, data, len, image } = req.body;
    if (typeof off !== 'number' || !(data instanceof Uint8Array)) return legacyFail(MgmtErr.EINVAL);
    if (image !== undefined && image !== 0) return legacyFail(MgmtErr.EINVAL);
    const flash = this.dev.flash;
    let extraMs = 0;
    if (off === 0) {
      if (typeof len !== 'number' || len > flash.slotSize) return legacyFail(MgmtErr.EINVAL);
      // Every off-0 chunk restarts the upload and erases the whole primary slot.
      flash.beginWrite(0, len);
      this.upload = { len, next: 0 };
      extraMs = eraseMs(this.dev.timing, flash.slotSize);
    }
    const u = this.upload;
    if (!u || off !== u.next) return ok({ rc: 0, off: u?.next ?? 0 });
    if (off + data.length > u.len) return legacyFail(MgmtErr.EINVAL);
    const last = off + data.length === u.len;
    const n = last ? data.length : data.length - (data.length % this.writeAlign);
    flash.writeAt(0, off, data.subarray(0, n));
    u.next += n;
    this.dev.setLed('receiving');
    return ok({ rc: 0, off: u.next }, extraMs + writeMs(this.dev.timing, n));
  }
}
