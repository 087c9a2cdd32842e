import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT, type CliContext } from '../../../main/cli/command';
import { makeUpdateCommand } from '../../../main/cli/commands/update';
import { buildImage } from '../../../main/image/build';
import type { Link } from '../../../main/links/link';
import { DATABASE_FILE } from '../../../main/store/database';
import { BOARD, simMember } from '../jobs/sim-fleet';

/** Who and where the real job of {@link runRealJob} records. */
export const REAL_SITE = 'Plant 7';
export const REAL_TECHNICIAN = 'Ada Tech';

/**
 * Writes a real journal into `dataDir`: `siteflash update` (in-process) runs one job over five
 * simulated devices — four of the image's board, one of another, which fails `wrong-board` —
 * answering every LED question yes (exit 4: the only failure is a refusal, nothing sent). Returns the simulated device ids.
 */
export async function runRealJob(dataDir: string, workDir: string): Promise<string[]> {
  const members = [0, 1, 2, 3].map((n) => simMember(n)).concat(simMember(4, { board: 'other-board' }));
  const links = new Map<string, Link>(members.map((m) => [`/dev/sim-${m.name}`, m.link]));
  const update = makeUpdateCommand({
    smp: { timeoutMs: 500, resetSettleMs: 20, openLink: (t) => links.get(t.link.kind === 'serial' ? t.link.path : '') as Link },
    ask: async () => true,
  });
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  mkdirSync(join(dataDir, 'keys', 'image'), { recursive: true });
  writeFileSync(join(dataDir, 'keys', 'image', 'real-job.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
  const image = join(workDir, 'app.bin');
  writeFileSync(image, buildImage({ body: new Uint8Array(8_000).fill(3), version: '1.1.0+0', signingKey: privateKey, board: BOARD }));
  const ctx: CliContext = { out: () => undefined, err: () => undefined, json: true, isTTY: false, dataDir, signal: new AbortController().signal };
  const ports = members.flatMap((m) => ['--port', `/dev/sim-${m.name}`]);
  const code = await update.run([image, ...ports, '--site', REAL_SITE, '--technician', REAL_TECHNICIAN], ctx);
  if (code !== EXIT.refused) throw new Error(`the real job should end with one device refused for its board (exit 4), not exit ${code}`);
  return members.map((m) => m.device.id);
}

/** A consistent copy of a live database file, made by the sqlite3 command (`.backup`). */
export function backupDatabase(dataDir: string, to: string): void {
  execFileSync('sqlite3', [join(dataDir, DATABASE_FILE), `.backup '${to}'`]);
}
