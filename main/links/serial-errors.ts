import { LinkError } from './link';

/**
 * Turns an error from serialport's open into a {@link LinkError} a technician can act on.
 *
 * bindings-cpp reports errno names only inside its messages ("Error: Permission denied, cannot
 * open /dev/ttyACM0", "Error Resource temporarily unavailable Cannot lock port"), so the message
 * text is what we match; Windows' wording ("File not found", "Access denied") is matched too.
 */
export function serialOpenError(err: unknown, path: string, platform: NodeJS.Platform = process.platform): LinkError {
  const text = err instanceof Error ? err.message : String(err);
  const code = errorCode(err);
  if (code === 'ENOENT' || /no such file|file not found|cannot find|ENOENT/i.test(text)) {
    return new LinkError('not-found', `The serial port ${path} does not exist (the device is not plugged in or has another name).`, 'Plug the device in, or pick the port again from the list.');
  }
  if (code === 'EACCES' || /permission denied|access denied|EACCES/i.test(text)) {
    return new LinkError('permission-denied', `siteflash may not open ${path}.`, permissionHint(platform));
  }
  if (code === 'EBUSY' || /resource busy|EBUSY|cannot lock port|resource temporarily unavailable|in use/i.test(text)) {
    return new LinkError('busy', `The serial port ${path} is in use by another program.`, 'Close the other program (a terminal, another siteflash window, ModemManager) and try again.');
  }
  return new LinkError('io', `Could not open ${path}: ${text}`);
}

/** What to do about a permission error, per platform. */
export function permissionHint(platform: NodeJS.Platform): string {
  if (platform === 'linux') {
    return 'Add your user to the dialout group (sudo usermod -aG dialout $USER, then log out and in) or install the siteflash udev rules.';
  }
  if (platform === 'win32') return 'Another user or service holds the port; close it or run siteflash as that user.';
  return 'Check that your user may open serial devices.';
}

function errorCode(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}
