import { sleep, systemClock, type Clock } from '../links/clock';
import { fieldIdentity, type DeviceIdentity } from './commands/field';
import { imageConfirm, imageState, imageTest, sameBytes, slotWithHash, type SlotState } from './commands/image';
import { reset } from './commands/os';
import { DeviceError } from './errors';
import type { ImageSource } from './image-source';
import { negotiateParams } from './params';
import { reopenWithBackoff, type ReconnectOptions } from './reconnect';
import type { SmpSession } from './session';
import { uploadImage, type UploadResult } from './upload';

/** The image to install, as verification found it (main/image). */
export interface UpdateImage {
  source: ImageSource;
  /** The image's hash TLV value: what image state reports for it (smp.md §3.2). */
  hash: Uint8Array;
  /** `major.minor.revision[.build]`, for messages. */
  version: string;
  /** SHA-256 of the file, when already known. */
  sha?: Uint8Array;
}

/** Steps of the flow, in order, for progress displays and the job journal. */
export type UpdateStep = 'checking' | 'uploading' | 'testing' | 'resetting' | 'rebooting' | 'confirming';

/** Options of {@link runUpdate}. */
export interface UpdateOptions {
  /**
   * Decides whether the image fits this device, before any image byte is sent. Gets the field-group
   * identity (undefined for a device without the field group) and throws to refuse — e.g. a
   * wrapper around main/image `selectImage` for bundles. Without it no board check is made.
   */
  check?: (identity: DeviceIdentity | undefined) => void | Promise<void>;
  /** Overrides the window from mcumgr params (`--window N`; 1 = no pipelining). */
  window?: number;
  alignment?: number;
  clock?: Clock;
  /** Waiting for the device after the reset (default: 60 s, backoff 200 ms … 2 s). */
  reconnect?: Omit<ReconnectOptions, 'clock' | 'signal'>;
  onStep?: (step: UpdateStep) => void;
  onProgress?: (bytes: number, total: number, rate: number, etaSeconds: number) => void;
  signal?: AbortSignal;
}

/** How an update ended. `rolled-back`: the device came back running its old image. */
export interface UpdateResult {
  outcome: 'confirmed' | 'rolled-back' | 'already-running';
  slots: SlotState[];
  upload?: UploadResult;
}

/**
 * The standard update flow (smp.md §5.7): check → state read → upload → state read → test → reset
 * → wait for the device → state read → confirm, or report the rollback.
 */
export async function runUpdate(session: SmpSession, image: UpdateImage, o: UpdateOptions = {}): Promise<UpdateResult> {
  const { signal } = o;
  const clock = o.clock ?? systemClock;
  const reconnect = (s?: AbortSignal) => reopenWithBackoff(session.link, { ...o.reconnect, clock, signal: s ?? signal });
  o.onStep?.('checking');
  const params = await negotiateParams(session, { signal });
  if (o.window !== undefined) session.window = o.window;
  if (o.check) await o.check(await fieldIdentity(session, signal));

  let slots = await imageState(session, signal);
  const running = slots.find((s) => s.active);
  if (running && sameBytes(running.hash, image.hash)) {
    if (!running.confirmed) slots = await imageConfirm(session, undefined, signal);
    return { outcome: 'already-running', slots };
  }
  const pending = slots.find((s) => s.pending && !sameBytes(s.hash, image.hash));
  if (pending) throw new DeviceError('refused', `Another image (${pending.version}) is already pending on the device; reset it or confirm first.`);

  let upload: UploadResult | undefined;
  if (!slotWithHash(slots, image.hash)) {
    o.onStep?.('uploading');
    upload = await uploadImage(session, image.source, {
      bufSize: params.bufSize,
      alignment: o.alignment,
      sha: image.sha,
      clock,
      reconnect,
      onProgress: o.onProgress,
      signal,
    });
    slots = await imageState(session, signal);
    if (!slotWithHash(slots, image.hash)) {
      throw new DeviceError('protocol', `The device took the upload but does not list image ${image.version}; the file may not be an image for it.`);
    }
  }

  o.onStep?.('testing');
  await imageTest(session, image.hash, signal);
  o.onStep?.('resetting');
  await reset(session, { signal }).catch((err: unknown) => {
    // The answer can be lost as the device goes down; never resend a reset (smp.md §10): wait for it instead.
    if (!(err instanceof DeviceError && (err.kind === 'link-closed' || err.kind === 'timeout'))) throw err;
  });
  o.onStep?.('rebooting');
  slots = await afterReboot(session, clock, reconnect, o);
  const active = slots.find((s) => s.active);
  if (!active || !sameBytes(active.hash, image.hash)) return { outcome: 'rolled-back', slots, ...(upload ? { upload } : {}) };
  o.onStep?.('confirming');
  if (!active.confirmed) slots = await imageConfirm(session, undefined, signal);
  return { outcome: 'confirmed', slots, ...(upload ? { upload } : {}) };
}

/** Waits for the link to drop (or a short while, for ports that stay), then for the device to answer. */
async function afterReboot(session: SmpSession, clock: Clock, reconnect: () => Promise<void>, o: UpdateOptions): Promise<SlotState[]> {
  const link = session.link;
  if (link.isOpen) {
    const ac = new AbortController();
    const off = link.onClose(() => ac.abort());
    // A USB device re-enumerates: its port closes. A UART behind a bridge stays open: then just wait a little.
    await sleep(clock, 1000, ac.signal).catch(() => undefined);
    off();
  }
  const deadline = clock.now() + (o.reconnect?.timeoutMs ?? 60_000);
  for (;;) {
    o.signal?.throwIfAborted();
    if (!link.isOpen) await reconnect();
    try {
      return await imageState(session, o.signal);
    } catch (err) {
      const booting = err instanceof DeviceError && (err.kind === 'timeout' || err.kind === 'link-closed');
      if (!booting || clock.now() > deadline) throw err;
      await sleep(clock, 200, o.signal);
    }
  }
}
