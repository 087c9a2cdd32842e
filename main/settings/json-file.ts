import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';

/**
 * A small JSON file of the data folder, read through `schema`: a missing, unreadable or invalid file
 * gives the schema's defaults rather than stopping the app.
 */
export function readJsonFile<S extends z.ZodType>(dataDir: string, file: string, schema: S): z.infer<S> {
  let raw: unknown = {};
  try {
    raw = JSON.parse(readFileSync(join(dataDir, file), 'utf8'));
  } catch {
    // First start, or an unreadable file.
  }
  const parsed = schema.safeParse(raw);
  return parsed.success ? parsed.data : schema.parse({});
}

/** Writes `value` to a temporary file and renames it over `file`, so a crash never leaves half a file. */
export function writeJsonFile(dataDir: string, file: string, value: unknown): void {
  mkdirSync(dataDir, { recursive: true });
  const tmp = join(dataDir, `${file}.tmp`);
  writeFileSync(tmp, JSON.stringify(value, null, 2));
  renameSync(tmp, join(dataDir, file));
}
