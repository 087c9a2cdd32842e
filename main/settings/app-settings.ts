import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { AppSettings } from '../../preload/api';

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
    let raw: unknown = {};
    try {
      raw = JSON.parse(readFileSync(join(dataDir, FILE), 'utf8'));
    } catch {
      // First start, or an unreadable file: start from defaults rather than refuse to run.
    }
    const parsed = schema.safeParse(raw);
    this.value = parsed.success ? parsed.data : schema.parse({});
  }

  get current(): AppSettings {
    return { ...this.value, siteIds: [...this.value.siteIds] };
  }

  update(change: Partial<AppSettings>): AppSettings {
    this.value = schema.parse({ ...this.value, ...change });
    mkdirSync(this.dataDir, { recursive: true });
    const tmp = join(this.dataDir, `${FILE}.tmp`);
    writeFileSync(tmp, JSON.stringify(this.value, null, 2));
    renameSync(tmp, join(this.dataDir, FILE));
    return this.current;
  }
}
