import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPtyPair as openSimPtyPair } from '../main/sim/pty-pair';

/** Two linked pseudo-terminals made by socat: bytes written to one end are read at the other. */
export interface PtyPair {
  a: string;
  b: string;
  /** Ends socat; both paths disappear. Safe to call twice. */
  close(): Promise<void>;
}

/** A socat pty pair for tests (the simulator's own, with `a` a symlink in a fresh temp folder). */
export async function openPtyPair(): Promise<PtyPair> {
  const pair = await openSimPtyPair(join(mkdtempSync(join(tmpdir(), 'siteflash-pty-')), 'a'));
  return { a: pair.clientPath, b: pair.devicePath, close: pair.close };
}
