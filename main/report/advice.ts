/** What to try next for a device that needs attention, by the reason kind the engine recorded. */
const ADVICE: Record<string, string> = {
  'wrong-board': 'The release has no image for this board: bring the release made for this board and update it again.',
  'wrong-device': 'Another device answered on this link: check which device is connected, then retry.',
  'bad-image': 'The image was refused: verify the release again on the Releases screen; if it still fails, report it.',
  'rolled-back': 'The device went back to its old image at boot: leave it on the old version and report the release.',
  'not-rejoined': 'The device did not come back with the new version: power-cycle it near the gateway and check its version.',
  'rejoin-timeout': 'The device did not come back in time: power-cycle it near the gateway, then retry the failed devices.',
  'led-not-confirmed': 'The LED was not confirmed: put the device in update mode again (magnet, OTG) and retry.',
  'left-in-test': 'The new image is in test and reverts at the next reset: confirm it or run the update again.',
  timeout: 'The device stopped answering: bring it closer or reconnect it, then retry the failed devices.',
  'link-closed': 'The connection dropped: reconnect the device, then retry the failed devices.',
  cancelled: 'The update was cancelled: run it again when the device is ready.',
  'net-key-missing': "The project's network key is not in this laptop's keychain: enter it on the Connect screen, then retry.",
};

/** Advice in words for a reason kind (a general hint when the kind is not known). */
export function whatToTry(reasonKind: string | null, result: string): string {
  if (reasonKind && ADVICE[reasonKind]) return ADVICE[reasonKind];
  if (result === 'rolled-back') return ADVICE['rolled-back'] as string;
  if (result === 'cancelled') return ADVICE.cancelled as string;
  return 'Check the reason, bring the device closer or reconnect it, then retry the failed devices.';
}
