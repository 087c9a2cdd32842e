import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `npm run bench`: runs every `test/bench/*.bench.ts` one after another (benchmarks share two
 * cores badly), or only those whose names contain one of the arguments: `npm run bench -- image`.
 */
const dir = import.meta.dirname;
const filters = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
let failed = 0;
for (const file of files) {
  process.stdout.write(`\n=== ${file} ===\n`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(dir, file)], { stdio: 'inherit' });
  if (run.status !== 0) {
    failed++;
    process.stdout.write(`!!! ${file} exited with ${run.status ?? run.signal}\n`);
  }
}
process.exitCode = failed ? 1 : 0;
