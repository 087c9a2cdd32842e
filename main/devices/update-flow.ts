import { sleep, systemClock, type Clock } from '../links/clock';
import { fieldIdentity, type DeviceIdentity } from './commands/field';
import { readProofFrom, proveSameDevice, type DeviceProof, type ProofSources, type ProofVerdict } from './identity-proof';
import { imageConfirm, imageState, imageTest, sameBytes, slotWithHash, type SlotState } from './commands/image';
import { isNotSupported, reset } from './commands/os';
import { DeviceError } from './errors';
import type { ImageSource } from './image-source';
import { chooseWindow, negotiateParams } from './params';
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

/** The texts the CLI and the app show for each outcome: one wording everywhere. */
export const NOT_SWAPPED_TEXT = 'did not swap (no bootloader swap happened)';

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
  /** Serial: the lines the device's UART holds while it works, when known better than the default (`--line-buffers N`). */
  lineBuffers?: number;
  alignment?: number;
  clock?: Clock;
  /** Waiting for the device after the reset (default: 60 s, backoff 200 ms … 2 s). */
  reconnect?: Omit<ReconnectOptions, 'clock' | 'signal'>;
  onStep?: (step: UpdateStep) => void;
  onProgress?: (bytes: number, total: number, rate: number, etaSeconds: number) => void;
  /** Extra proof of which unit answers (the port's USB serial number), checked after every reconnect. */
  proof?: ProofSources;
  signal?: AbortSignal;
}

/**
 * How an update ended, as the device showed it after its reset:
 * - `confirmed`: it runs the new image and confirmed it;
 * - `installed-by-bootloader`: MCUboot serial recovery wrote it straight into slot 0 (no test or
 *   confirm step exists there, smp.md §11) and the device came back listing it;
 * - `not-swapped`: the new image is still pending: nothing swapped (e.g. Zephyr without a bootloader);
 * - `rolled-back`: it runs the old image and the new one is no longer pending;
 * - `already-running`: nothing was sent.
 */
export type UpdateOutcome = 'confirmed' | 'installed-by-bootloader' | 'not-swapped' | 'rolled-back' | 'already-running';

export interface UpdateResult {
  outcome: UpdateOutcome;
  slots: SlotState[];
  upload?: UploadResult;
  /**
   * Whether the device that came back proved it is the one that left (field identity or USB
   * serial number). `unproven`: it gave no proof before the reset, so none could be compared.
   * (A different device throws `wrong-device` and no outcome is returned.)
   */
  identity?: Exclude<ProofVerdict, 'other'>;
}

/**
 * The standard update flow (smp.md §5.7): check → state read → upload → state read → test → reset
 * → wait for the device → prove it is the same one → state read → confirm, or report what it shows.
 * A device that takes the upload into slot 0 (MCUboot serial recovery, smp.md §11) skips test and
 * confirm: reset, wait, prove, check the slot.
 */
export async function runUpdate(session: SmpSession, image: UpdateImage, o: UpdateOptions = {}): Promise<UpdateResult> {
  const { signal } = o;
  const clock = o.clock ?? systemClock;
  o.onStep?.('checking');
  const params = await negotiateParams(session, { signal, ...(o.lineBuffers !== undefined ? { lineBuffers: o.lineBuffers } : {}) });
  if (o.window !== undefined) chooseWindow(session, o.window);
  const identity = await fieldIdentity(session, signal);
  const proof = await readProofFrom(identity, o.proof);
  if (o.check) await o.check(identity);
  // Every reopen, also in the middle of the upload, must find the same device again.
  const reopen = (s?: AbortSignal) => reopenWithBackoff(session.link, { ...o.reconnect, clock, signal: s ?? signal });
  const reconnect = async (s?: AbortSignal) => {
    await reopen(s);
    await proveSameDevice(session, proof, o.proof, s ?? signal);
  };

  let slots = await imageState(session, signal);
  const running = slots.find((s) => s.active === true);
  if (running && sameBytes(running.hash, image.hash)) {
    if (running.confirmed !== true) slots = await imageConfirm(session, undefined, signal);
    return { outcome: 'already-running', slots };
  }
  const pending = slots.find((s) => s.pending === true && !sameBytes(s.hash, image.hash));
  if (pending) throw new DeviceError('refused', `Another image (${pending.version}) is already pending on the device; reset it or confirm first (siteflash image confirm).`);

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
  }
  const landed = slotWithHash(slots, image.hash);
  if (!landed) {
    throw new DeviceError('protocol', `The device took the upload but does not list image ${image.version}; the file may not be an image for it.`);
  }
  const withUpload = upload ? { upload } : {};

  // An image in the primary slot that does not run yet was written there by the bootloader's serial recovery.
  let inPlace = landed.image === 0 && landed.slot === 0;
  if (!inPlace) {
    o.onStep?.('testing');
    try {
      await imageTest(session, image.hash, signal);
    } catch (err) {
      // rc 8 to the test command: a server without test/confirm (serial recovery) — only if the image sits in slot 0.
      if (!(isNotSupported(err) && landed.slot === 0)) throw err;
      inPlace = true;
    }
  }
  o.onStep?.('resetting');
  await reset(session, { signal }).catch((err: unknown) => {
    // The answer can be lost as the device goes down; never resend a reset (smp.md §10): wait for it instead.
    if (!(err instanceof DeviceError && (err.kind === 'link-closed' || err.kind === 'timeout'))) throw err;
  });
  o.onStep?.('rebooting');
  const after = await afterReboot(session, clock, reopen, proof, o);
  slots = after.slots;
  const verdict = { identity: after.identity, ...withUpload };
  if (inPlace) {
    const kept = slotWithHash(slots, image.hash);
    if (!kept || kept.slot !== 0) {
      throw new DeviceError('refused', `After the reset the device does not list ${image.version} in slot 0: the bootloader did not keep it.`);
    }
    return { outcome: 'installed-by-bootloader', slots, ...verdict };
  }
  const active = slots.find((s) => s.active === true);
  if (active && sameBytes(active.hash, image.hash)) {
    o.onStep?.('confirming');
    if (active.confirmed !== true) slots = await imageConfirm(session, undefined, signal);
    return { outcome: 'confirmed', slots, ...verdict };
  }
  if (slotWithHash(slots, image.hash)?.pending === true) return { outcome: 'not-swapped', slots, ...verdict };
  if (active) return { outcome: 'rolled-back', slots, ...verdict };
  throw new DeviceError('protocol', `After the reset the device does not say which image runs, so whether ${image.version} was installed is unknown.`);
}

/**
 * Waits for the link to drop (or a short while, for ports that stay), then for the device to
 * answer, and makes it prove it is the device that was reset before its slots are read.
 */
async function afterReboot(
  session: SmpSession,
  clock: Clock,
  reopen: () => Promise<void>,
  proof: DeviceProof,
  o: UpdateOptions,
): Promise<{ slots: SlotState[]; identity: Exclude<ProofVerdict, 'other'> }> {
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
    try {
      if (!link.isOpen) await reopen();
      // Before anything the device says is taken as a result: the same unit, or `wrong-device`.
      const identity = await proveSameDevice(session, proof, o.proof, o.signal);
      return { slots: await imageState(session, o.signal), identity };
    } catch (err) {
      const booting = err instanceof DeviceError && (err.kind === 'timeout' || err.kind === 'link-closed');
      if (!booting || clock.now() > deadline) throw err;
      await sleep(clock, 200, o.signal);
    }
  }
}
