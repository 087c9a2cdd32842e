/**
 * What the Update screen's components show about one device: the per-device states of DESIGN.md
 * ("Device states") with their words and tone, the kinds of link a device is reached by, and the
 * row model a DeviceRow renders. The renderer's own view types: the lead maps core snapshots onto them.
 */

import type { DeviceState as JobDeviceState } from '../../../preload/api';

/** A device's state in a job (the contract's, DESIGN.md "Device states"), plus `needs-attention` for a technician prompt. */
export type DeviceState = JobDeviceState | 'needs-attention';

/** Colour family of a state: a second signal beside the text and icon shape, never the only one. */
export type StateTone = 'neutral' | 'active' | 'ok' | 'warn' | 'bad';

/** How a state reads on screen. */
export interface DeviceStateInfo {
  readonly label: string;
  readonly tone: StateTone;
  /** One sentence for a tooltip or a screen reader: what the state means for the technician. */
  readonly hint: string;
}

/** Every state's words and tone, in the order a device passes through them. */
export const DEVICE_STATES: Readonly<Record<DeviceState, DeviceStateInfo>> = {
  discovered: { label: 'Discovered', tone: 'neutral', hint: 'Found, not yet in update mode.' },
  'in-update-mode': { label: 'In update mode', tone: 'active', hint: 'The LED confirmed update mode.' },
  verified: { label: 'Verified', tone: 'ok', hint: 'The image fits this board, hardware revision and version rules.' },
  transferring: { label: 'Transferring', tone: 'active', hint: 'The image is being sent.' },
  installing: { label: 'Installing', tone: 'active', hint: 'The device is swapping images and will reset.' },
  rejoined: { label: 'Rejoined', tone: 'ok', hint: 'The device came back with the new version.' },
  done: { label: 'Done', tone: 'ok', hint: 'Updated and confirmed.' },
  failed: { label: 'Failed', tone: 'bad', hint: 'The update did not complete.' },
  'rolled-back': { label: 'Rolled back', tone: 'warn', hint: 'The device went back to its previous image.' },
  cancelled: { label: 'Cancelled', tone: 'neutral', hint: 'Stopped before it was installed.' },
  'needs-attention': { label: 'Needs attention', tone: 'warn', hint: 'Something needs you at the device.' },
};

/** Every state, in order. */
export const DEVICE_STATE_LIST = Object.keys(DEVICE_STATES) as DeviceState[];

/** How the app reaches a device: a direct link (as main/links names its kinds) or through a gateway. */
export type LinkType = 'serial' | 'ble' | 'hid' | 'udp' | 'gateway' | 'loopback';

/** Words for each link type. */
export const LINK_TYPES: Readonly<Record<LinkType, string>> = {
  serial: 'USB serial',
  ble: 'Bluetooth',
  hid: 'USB HID',
  udp: 'LAN (UDP)',
  gateway: 'Via gateway',
  loopback: 'Demo (loopback)',
};

/** Why a device failed, and what the technician should do about it. */
export interface FailureView {
  /** What happened, e.g. "The device stopped answering at 62 %". */
  readonly reason: string;
  /** What to do, e.g. "Bring the device closer to the laptop and press Retry". */
  readonly action: string;
}

/** One row of the Update screen. Byte counts, rate and ETA are optional until a transfer starts. */
export interface DeviceRowModel {
  /** The device's EUI-64, 16 lower-case hex characters (field-group.md). */
  readonly id: string;
  /** A name the technician gave the device, if any. */
  readonly label?: string;
  readonly board: string;
  readonly link: LinkType;
  readonly state: DeviceState;
  /** Image bytes acknowledged by the device so far. */
  readonly bytes?: number;
  /** Image size in bytes. */
  readonly total?: number;
  /** Bytes per second over the last few seconds. */
  readonly rate?: number;
  /** Seconds left. */
  readonly etaSeconds?: number;
  /** Shown instead of the transfer when the job sends no image (a network job's step, in words). */
  readonly note?: string;
  /** Set when the state is failed, rolled-back or needs-attention. */
  readonly failure?: FailureView;
}
