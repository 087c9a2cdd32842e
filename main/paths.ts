import { accessSync, chmodSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { SiteflashError } from './errors';

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

/** Mode of the data folder: only the technician's account may read the journal, keys and bundles. */
export const DATA_DIR_MODE = 0o700;

/**
 * Creates the data folder (mode 0700) if needed, narrows an existing one to 0700, and checks that
 * siteflash can write there. Throws `data-folder-read-only` or `data-folder-unavailable` naming the
 * folder and what to do, instead of a bare "EROFS: mkdir".
 */
export function prepareDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
  } catch (err) {
    throw dataDirError(dir, causeOfMkdir(dir, err));
  }
  try {
    if ((statSync(dir).mode & 0o777) !== DATA_DIR_MODE) chmodSync(dir, DATA_DIR_MODE);
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw dataDirError(dir, err);
  }
}

/**
 * Node's recursive mkdir reports ENOENT when a parent cannot be created on a read-only disk: the
 * real cause is the nearest existing parent, which cannot be written.
 */
function causeOfMkdir(dir: string, err: unknown): unknown {
  if ((err as { code?: string }).code !== 'ENOENT') return err;
  let parent = dir;
  while (!existsSync(parent) && dirname(parent) !== parent) parent = dirname(parent);
  try {
    accessSync(parent, constants.W_OK);
    return err;
  } catch (cause) {
    return cause;
  }
}

function dataDirError(dir: string, err: unknown): SiteflashError {
  const code = err && typeof err === 'object' && 'code' in err ? String((err as { code: unknown }).code) : '';
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') {
    return new SiteflashError(
      'data-folder-read-only',
      `The siteflash data folder ${dir} cannot be written (${code === 'EROFS' ? 'the disk is read-only' : 'permission denied'}). ` +
        'siteflash keeps its journal there: make the folder writable, or set SITEFLASH_DATA_DIR to a writable folder.',
      true,
      { path: dir, code },
    );
  }
  return new SiteflashError(
    'data-folder-unavailable',
    `The siteflash data folder ${dir} cannot be created or used (${err instanceof Error ? err.message : String(err)}). ` +
      'Check the path (or SITEFLASH_DATA_DIR) and the disk.',
    true,
    { path: dir, code },
  );
}

/**
 * Makes every file and folder this process creates from now on private to the technician's account
 * (umask 077: folders 0700, files 0600): logs, settings, bundles, keys, lock files. Called once by
 * each program's entry (app, browser host, CLI); a no-op where there is no umask (Windows).
 */
export function restrictNewFiles(): void {
  if (process.platform !== 'win32') process.umask(0o077);
}
