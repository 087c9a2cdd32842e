import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The app's data folder: `SITEFLASH_DATA_DIR` if set, else the platform's usual place
 * (the same folder Electron's `app.getPath('userData')` gives for the app name `siteflash`).
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.SITEFLASH_DATA_DIR) return env.SITEFLASH_DATA_DIR;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'siteflash');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'siteflash');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'siteflash');
}

/** Folder of files shipped with the app (`resources/`), found from this module's location or `SITEFLASH_RESOURCES`. */
export function resourcesDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SITEFLASH_RESOURCES) return env.SITEFLASH_RESOURCES;
  return join(import.meta.dirname, '..', '..', 'resources');
}
