/**
 * The engine in a child process for the crash test: `node --import tsx crash-runner.ts DATADIR
 * [update arguments…]` runs `siteflash update` with short device timeouts. The test SIGKILLs it.
 */
import { makeUpdateCommand } from '../../../main/cli/commands/update';

const [dataDir, ...argv] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: crash-runner.ts DATADIR [update arguments]');
const command = makeUpdateCommand({ smp: { timeoutMs: 1000, firstChunkTimeoutMs: 3000, resetSettleMs: 100, connectTimeoutMs: 15_000 } });
const controller = new AbortController();
process.on('SIGINT', () => controller.abort());
process.exitCode = await command.run(argv, {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
  json: false,
  isTTY: false,
  dataDir,
  signal: controller.signal,
});
