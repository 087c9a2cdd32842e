import magnetOnSpot from '../../../resources/illustrations/magnet-on-spot.svg?url';
import otgPlugIn from '../../../resources/illustrations/otg-plug-in.svg?url';
import otgTakeOut from '../../../resources/illustrations/otg-take-out.svg?url';
import ledUpdateMode from '../../../resources/illustrations/led-update-mode.svg?url';

/** One step of putting a device into manual update mode. */
export interface UpdateModeStep {
  readonly title: string;
  readonly text: string;
  /** Address of the step's illustration (resources/illustrations). */
  readonly image: string;
  /** Short text alternative for the illustration. */
  readonly alt: string;
}

/**
 * The steps of field-group.md "Manual update mode": magnet held on the marked spot while an OTG
 * adapter goes into the micro-USB port and out again; the device then shows `update-mode` and stays
 * in update mode for 10 minutes without traffic.
 */
export const UPDATE_MODE_STEPS: readonly UpdateModeStep[] = [
  {
    title: 'Hold the magnet on the marked spot',
    text: 'Find the marked spot on the housing: a dashed circle with a cross. Hold the magnet on it, and keep it there until step 3 is done.',
    image: magnetOnSpot,
    alt: 'A hand holds a bar magnet onto the marked spot of the device housing.',
  },
  {
    title: 'Plug the OTG adapter in',
    text: 'Keep the magnet on the spot. Push the OTG adapter into the micro-USB port of the device.',
    image: otgPlugIn,
    alt: 'With the magnet on the spot, the OTG adapter goes into the micro-USB port.',
  },
  {
    title: 'Take the OTG adapter out again',
    text: 'Still holding the magnet, pull the OTG adapter out. Then you can take the magnet away.',
    image: otgTakeOut,
    alt: 'With the magnet still on the spot, the OTG adapter is pulled out of the port.',
  },
  {
    title: 'Check the LED',
    text: 'The LED blinks twice, short, then pauses, over and over: the device is in update mode, and siteflash will find it. It stays in update mode for 10 minutes if nothing is sent to it; then repeat these steps.',
    image: ledUpdateMode,
    alt: 'The device LED blinks twice, then pauses, again and again.',
  },
];
