import { z } from 'zod';
import type { AppSettings } from '../../preload/api';
import { readJsonFile, writeJsonFile } from './json-file';

const schema = z.object({
  siteName: z.string().max(200).default(''),
  technician: z.string().max(200).default(''),
  cloudUrl: z.string().max(2000).default(''),
  siteIds: z.array(z.string()).default([]),
});

const FILE = 'settings.json';

/**
 * The technician's settings (site being worked on, their name, the cloud server), in
 * `<dataDir>/settings.json`. Written to a temporary file and renamed, so a crash never leaves half
 * a file. Nothing secret lives here: the cloud token is in the keychain.
 */
export class AppSettingsStore {
  private value: AppSettings;

  constructor(private readonly dataDir: string) {
    // First start, or an unreadable file: the defaults, rather than refuse to run.
    this.value = readJsonFile(dataDir, FILE, schema);
  }

  get current(): AppSettings {
    return { ...this.value, siteIds: [...this.value.siteIds] };
  }

  update(change: Partial<AppSettings>): AppSettings {
    this.value = schema.parse({ ...this.value, ...change });
    writeJsonFile(this.dataDir, FILE, this.value);
    return this.current;
  }
}
