import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

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

/**
 * Folder of files shipped with the app (`resources/`): `SITEFLASH_RESOURCES` if set (the packaged
 * Electron app sets it), else the nearest `resources/` above this module — the same from the
 * sources (tests) and from the build in `out/`.
 */
export function resourcesDir(env: NodeJS.ProcessEnv = process.env, from = import.meta.dirname): string {
  if (env.SITEFLASH_RESOURCES) return env.SITEFLASH_RESOURCES;
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'resources')) && existsSync(join(dir, 'package.json'))) return join(dir, 'resources');
    if (dirname(dir) === dir) throw new Error(`siteflash resources not found above ${from}`);
  }
}
