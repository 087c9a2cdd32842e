import { ImageCmd, SmpGroup } from '../smp/constants';
import { ImageErr } from '../smp/error-codes';
import type { SmpBody } from '../smp/cbor';
import { groupFail, isWrite, ok, sameBytes, type SimDeviceContext, type SimGroup, type SimReply, type SimRequest } from './handler';
import { smpVersionText } from './slot-image';
import { eraseMs } from './timing';
import { UploadServer } from './upload-server';

/** Lengths a state-write `hash` may have: SHA-256/384/512 image hashes (smp.md §3.2). */
const HASH_LENGTHS = [32, 48, 64];

/**
 * The image group (1) of a single-image device in swap mode: state read/write (test, confirm),
 * upload, erase, slot info (smp.md §3.2, §5; MCUboot flags per mcuboot-image.md §5.1).
 */
export class ImageGroup implements SimGroup {
  readonly group = SmpGroup.image;
  private readonly upload: UploadServer;

  constructor(
    private readonly dev: SimDeviceContext,
    private readonly opts: {
      imageCheck?: boolean;
      frugalList?: boolean;
      /** Erase of a pending slot: `already-pending` (28), or `no-free-slot` (9) as Zephyr 3.5 answers (smp.md §11.2). */
      erasePendingAnswer?: 'already-pending' | 'no-free-slot';
    } = {},
  ) {
    this.upload = new UploadServer(dev, { imageCheck: opts.imageCheck ?? true });
  }

  onReboot(): void {
    this.upload.abort();
  }

  handle(req: SimRequest): SimReply | undefined {
    const { id } = req.header;
    const write = isWrite(req);
    if (id === ImageCmd.state) return write ? this.stateWrite(req) : ok(this.state());
    if (id === ImageCmd.upload && write) return this.upload.handle(req);
    if (id === ImageCmd.erase && write) return this.erase(req);
    if (id === ImageCmd.slotInfo && !write) return this.slotInfo();
    return undefined;
  }

  /** The state response: one entry per slot holding a valid image, flags as in smp.md §3.2. */
  state(): SmpBody {
    const flash = this.dev.flash;
    const next = flash.nextSwap();
    const images: SmpBody[] = [];
    for (const slot of [0, 1] as const) {
      const img = flash.image(slot);
      if (!img) continue;
      const flags = {
        bootable: img.bootable,
        pending: slot === 1 && (next === 'test' || next === 'permanent'),
        confirmed: slot === 0 ? !flash.onTrial : flash.onTrial,
        active: slot === 0,
        permanent: slot === 1 && next === 'permanent',
      };
      const entry: SmpBody = { slot, version: smpVersionText(img.version), hash: img.hash };
      for (const [k, v] of Object.entries(flags)) if (v || !this.opts.frugalList) entry[k] = v;
      images.push(entry);
    }
    return { images, splitStatus: 0 };
  }

  private stateWrite(req: SimRequest): SimReply {
    const { hash } = req.body;
    const confirm = req.body.confirm === true;
    const flash = this.dev.flash;
    if (hash === undefined) {
      if (!confirm) return groupFail(req, this.group, ImageErr.INVALID_HASH);
      if (flash.onTrial) flash.confirmPrimary();
      return ok(this.state());
    }
    if (!(hash instanceof Uint8Array) || !HASH_LENGTHS.includes(hash.length)) return groupFail(req, this.group, ImageErr.INVALID_HASH);
    const slot = ([0, 1] as const).find((s) => {
      const img = flash.image(s);
      return img !== undefined && sameBytes(img.hash, hash);
    });
    if (slot === undefined) return groupFail(req, this.group, ImageErr.HASH_NOT_FOUND);
    if (slot === 0) {
      if (!confirm) return groupFail(req, this.group, ImageErr.IMAGE_SETTING_TEST_TO_ACTIVE_DENIED);
      if (flash.onTrial) flash.confirmPrimary();
      return ok(this.state());
    }
    const next = flash.nextSwap();
    if (next === 'revert' || (next === 'permanent' && !confirm)) return groupFail(req, this.group, ImageErr.IMAGE_ALREADY_PENDING);
    if (confirm) flash.requestPermanent();
    else if (next !== 'test') flash.requestTest();
    return ok(this.state());
  }

  private erase(req: SimRequest): SimReply {
    const slot = req.body.slot ?? 1;
    if (slot !== 0 && slot !== 1) return groupFail(req, this.group, ImageErr.INVALID_SLOT);
    const next = this.dev.flash.nextSwap();
    if (slot === 1 && (next === 'test' || next === 'permanent')) {
      return groupFail(req, this.group, this.opts.erasePendingAnswer === 'no-free-slot' ? ImageErr.NO_FREE_SLOT : ImageErr.IMAGE_ALREADY_PENDING);
    }
    if (slot === 0 || next === 'revert') return groupFail(req, this.group, ImageErr.NO_FREE_SLOT);
    this.upload.abort();
    this.dev.flash.erase(1);
    return ok({}, eraseMs(this.dev.timing, this.dev.flash.slotSize));
  }

  private slotInfo(): SimReply {
    const size = this.dev.flash.slotSize;
    return ok({
      images: [{ image: 0, slots: [{ slot: 0, size }, { slot: 1, size, upload_image_id: 0 }], max_image_size: this.dev.flash.maxImageSize(this.dev.timing.sectorSize) }],
    });
  }
}
